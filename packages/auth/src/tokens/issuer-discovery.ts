import { TollgateError } from '../errors.js'
import { fetchFromIssuer } from './issuer-fetch.js'

/** What a relying service needs from an issuer's RFC 8414 metadata. */
export interface IssuerMetadata {
  issuer: string
  jwks_uri: string
  revocation_feed_endpoint?: string
}

/** RFC 8414 §3: the well-known segment goes between the host and the issuer's own path. */
export function metadataUrl (issuer: string): URL {
  const url = new URL(issuer)
  url.pathname = `/.well-known/oauth-authorization-server${url.pathname.replace(/\/+$/, '')}`
  return url
}

/** OpenID Connect Discovery 1.0 §4: the well-known segment goes after the issuer's path (Kubernetes, CI providers). */
export function openIdConfigurationUrl (issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)
}

/**
 * Reads the issuer's metadata and checks it is the issuer's own (RFC 8414 §3.3: its `issuer` must equal
 * the one asked for, or an attacker's metadata could point at an attacker's keys).
 */
export async function discoverIssuer (issuer: string, timeoutMs = 3000, at?: URL): Promise<IssuerMetadata> {
  // Typically an environment variable nobody set: say so, rather than "Invalid URL".
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) {
    throw new TypeError(`issuer must be the issuer's URL, to read its metadata from (or pass jwksUrl), not ${typeof issuer === 'string' ? JSON.stringify(issuer.slice(0, 200)) : String(issuer)}`)
  }
  const url = at ?? metadataUrl(issuer)
  const response = await fetchFromIssuer(url, timeoutMs)
  if (!response.ok) throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `fetching ${url.href} answered ${response.status}`)
  const body = await response.json() as Partial<IssuerMetadata>
  if (body.issuer !== issuer) throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `${url.href} names another issuer: ${String(body.issuer).slice(0, 200)}`)
  if (typeof body.jwks_uri !== 'string') throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `${url.href} has no jwks_uri`)
  return {
    issuer,
    jwks_uri: body.jwks_uri,
    ...(typeof body.revocation_feed_endpoint === 'string' ? { revocation_feed_endpoint: body.revocation_feed_endpoint } : {})
  }
}

/**
 * The key set of an issuer of workload tokens: from its OpenID configuration (what Kubernetes API servers,
 * GitHub and GitLab publish), else from its RFC 8414 metadata.
 */
export async function discoverJwksUri (issuer: string, timeoutMs = 3000): Promise<string> {
  try {
    return (await discoverIssuer(issuer, timeoutMs, openIdConfigurationUrl(issuer))).jwks_uri
  } catch (openIdError) {
    try {
      return (await discoverIssuer(issuer, timeoutMs)).jwks_uri
    } catch {
      throw openIdError
    }
  }
}
