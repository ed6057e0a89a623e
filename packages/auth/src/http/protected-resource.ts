/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): how a service tells its clients which authorization
 * servers issue the tokens it takes, at a well-known URL named in its 401 challenges.
 */

export interface ProtectedResourceOptions {
  /**
   * The resource identifier (RFC 9728 §1.2): this service's https URL as its clients know it, which is
   * also the `aud` (RFC 8707 `resource`) of the tokens issued for it. Default: `audience`, when a URL.
   */
  resource?: string
  /** Issuer identifiers of the authorization servers whose tokens it takes (default: `[issuer]`). */
  authorizationServers?: string[]
  /** `scopes_supported`: the scopes its routes check. */
  scopes?: string[]
  /** `resource_name`: a name fit for people. */
  name?: string
}

export interface ProtectedResource {
  /** The path the metadata is served at, on this service. */
  path: string
  /** The metadata's full URL, for the `resource_metadata` challenge parameter (§5.1). */
  url: string
  document: Record<string, unknown>
}

/** RFC 9728 §3: the suffix of the well-known URI. */
const WELL_KNOWN = '/.well-known/oauth-protected-resource'

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The identifier as a URL, refused (at registration, so the service does not start) when §1.2 forbids it. */
function resourceUrl (resource: string): URL {
  let url: URL
  try {
    url = new URL(resource)
  } catch {
    throw new TypeError(`protectedResource.resource must be a URL, not ${JSON.stringify(resource)}`)
  }
  // Plain http only on loopback, for development and tests.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new TypeError(`protectedResource.resource must be an https URL: ${resource}`)
  }
  if (url.hash !== '' || url.search !== '' || resource.includes('#')) {
    throw new TypeError(`protectedResource.resource must have neither a query nor a fragment: ${resource}`)
  }
  return url
}

/**
 * Where the metadata of `options.resource` lives and what it says. §3.1: the well-known suffix goes
 * between the host and the identifier's path (its final `/` dropped), and §3.3: `resource` in the
 * document is the identifier exactly as configured.
 */
export function describeProtectedResource (options: ProtectedResourceOptions, defaults: { issuer: string, audience: string }): ProtectedResource {
  const resource = options.resource ?? defaults.audience
  const url = resourceUrl(resource)
  const path = WELL_KNOWN + url.pathname.replace(/\/$/, '')
  return {
    path,
    url: url.origin + path,
    document: {
      resource,
      authorization_servers: options.authorizationServers ?? [defaults.issuer],
      // RFC 6750 §2.1 only: tokens in a form body or a query string are never read.
      bearer_methods_supported: ['header'],
      ...(options.scopes === undefined ? {} : { scopes_supported: options.scopes }),
      ...(options.name === undefined ? {} : { resource_name: options.name })
    }
  }
}
