import { ConfigError } from '@tollgate/auth/errors'
import { MIN_SECRET_BYTES } from '@tollgate/auth/tokens/claims'
import type { Config } from './schema.js'
import { parseTrustProxy } from './trust-proxy.js'

/** An absolute http(s) URL with no query, fragment or credentials. */
function isHttpUrl (value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' &&
    !value.includes('?') && !value.includes('#')
}

/** Addresses a server listens on that no client can reach (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2), as URL hosts. */
const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '[::]'])

/**
 * In production the issuer is never guessed: the default PUBLIC_URL, http://HOST:PORT, differs from one
 * instance to the next (so they refuse each other's tokens) and is unreachable with HOST=0.0.0.0. Outside
 * production the default stays, so a fresh clone starts with nothing set.
 */
export function checkProductionIssuer (variables: { NODE_ENV: string, PUBLIC_URL?: string | undefined, JWT_ISSUER?: string | undefined }): void {
  if (variables.NODE_ENV !== 'production') return
  if (variables.PUBLIC_URL === undefined) {
    throw new ConfigError('PUBLIC_URL', 'is required in production: the URL clients reach Tollgate at, such as https://auth.example.com, ' +
      'the same on every instance (it is the tokens\' issuer, and the default http://HOST:PORT differs from one instance to the next)')
  }
  for (const variable of ['PUBLIC_URL', 'JWT_ISSUER'] as const) {
    const value = variables[variable]
    const host = value === undefined || !isHttpUrl(value) ? undefined : new URL(value).hostname
    if (host !== undefined && UNSPECIFIED_HOSTS.has(host)) {
      throw new ConfigError(variable, `names ${host}, an address to listen on that no client can reach: set the URL clients use, such as https://auth.example.com`)
    }
  }
}

/**
 * Checks what one JSON schema cannot express: which variables each algorithm needs, and byte lengths.
 * The schema has already checked types, ranges and defaults.
 */
export function checkConfig (config: Config): void {
  // Metrics name routes and counts failures: they are for operators, never for the API's clients.
  if (config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    throw new ConfigError('METRICS_PORT', 'must differ from PORT: metrics are never served on the API port (0 turns them off)')
  }
  parseTrustProxy(config.TRUST_PROXY)
  if (!isHttpUrl(config.PUBLIC_URL)) throw new ConfigError('PUBLIC_URL', 'must be an absolute http(s) URL without query or fragment, such as https://auth.example.com')
  // RFC 8414 §2: the issuer is an https URL with no query or fragment (plain http is allowed for local use).
  // Outside production a name is still accepted, so existing set-ups keep their tokens verifying.
  if (config.NODE_ENV === 'production' && !isHttpUrl(config.JWT_ISSUER)) {
    throw new ConfigError('JWT_ISSUER', 'must be an absolute http(s) URL without query or fragment (RFC 8414), such as https://auth.example.com')
  }
  if (config.JWT_ALGORITHM.startsWith('HS')) {
    if (config.JWT_SECRET === undefined) {
      throw new ConfigError('JWT_SECRET', `is required for ${config.JWT_ALGORITHM}: set it to at least ${MIN_SECRET_BYTES} random bytes (\`tollgate secret\` prints one)`)
    }
    if (Buffer.byteLength(config.JWT_SECRET) < MIN_SECRET_BYTES) {
      throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes long`)
    }
    // Silently ignoring them would let an operator believe old tokens still verify, or a next key is published.
    for (const variable of ['JWT_RETIRED_KEY_FILES', 'JWT_NEXT_KEY_FILE'] as const) {
      if (config[variable] !== undefined) throw new ConfigError(variable, `applies only to RS256, ES256 and EdDSA keys, not to ${config.JWT_ALGORITHM}`)
    }
  } else if (config.JWT_PRIVATE_KEY_FILE === undefined) {
    throw new ConfigError('JWT_PRIVATE_KEY_FILE', `is required for ${config.JWT_ALGORITHM}`)
  }
}
