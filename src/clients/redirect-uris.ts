import { TollgateError } from '@tollgate/auth/errors'

const MAX_REDIRECT_URIS = 16
const MAX_LENGTH = 2048
/** RFC 8252 §7.3: loopback IP literals; `localhost` is not one (§8.3: it may resolve elsewhere). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]'])

const invalid = (message: string): TollgateError => new TollgateError('ERR_INVALID_ARGUMENT', message)

const parse = (uri: string): URL | undefined => URL.canParse(uri) ? new URL(uri) : undefined

const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)

/**
 * A redirect URI a client may register: absolute, without a fragment (RFC 6749 §3.1.2), https or, for an
 * app on the same machine, http on a loopback IP (RFC 8252 §7.3), and written as the URL parser writes it,
 * so the exact comparison of a request's `redirect_uri` with it (RFC 9700 §4.1) has one spelling to match.
 */
export function checkRedirectUri (uri: string): void {
  const shown = JSON.stringify(uri.slice(0, 80))
  const url = uri.length <= MAX_LENGTH && !/[\s,]/.test(uri) ? parse(uri) : undefined
  if (url === undefined) throw invalid(`redirect URI ${shown} must be an absolute URL of at most ${MAX_LENGTH} characters, without spaces or commas`)
  if (url.hash !== '' || uri.includes('#')) throw invalid(`redirect URI ${shown} must not have a fragment`)
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) throw invalid(`redirect URI ${shown} must use https, or http on a loopback IP (127.0.0.1 or [::1])`)
  if (url.username !== '' || url.password !== '') throw invalid(`redirect URI ${shown} must not carry credentials`)
  if (url.href !== uri) throw invalid(`redirect URI ${shown} must be written as ${JSON.stringify(url.href.slice(0, 80))}`)
}

export function checkRedirectUris (uris: readonly string[]): void {
  for (const uri of uris) checkRedirectUri(uri)
  if (new Set(uris).size > MAX_REDIRECT_URIS) throw invalid(`a client can have at most ${MAX_REDIRECT_URIS} redirect URIs`)
}

/**
 * The registered URI a request's `redirect_uri` names, or undefined: the same string exactly, except that
 * a loopback one may come with any port (RFC 8252 §7.3: a native app listens where the system lets it).
 */
export function matchRedirectUri (registered: readonly string[], requested: string): string | undefined {
  if (registered.includes(requested)) return requested
  const url = parse(requested)
  if (url === undefined || url.href !== requested || !isLoopbackHttp(url)) return undefined
  return registered.find((uri) => {
    const candidate = new URL(requested)
    const known = new URL(uri)
    if (!isLoopbackHttp(known)) return false
    candidate.port = known.port
    return candidate.href === uri
  })
}
