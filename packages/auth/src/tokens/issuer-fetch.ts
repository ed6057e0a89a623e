import { TollgateError } from '../errors.js'

/** Why a request never got an answer: the socket's own code (ECONNREFUSED, ENOTFOUND…) rather than fetch's bare "fetch failed". */
function unreachableReason (error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message
  return error instanceof Error ? error.message : String(error)
}

/**
 * A GET of a JSON document the issuer publishes (its metadata, its key set). An issuer out of reach is an
 * error naming the URL, so a service that cannot start says where it looked.
 */
export async function fetchFromIssuer (url: string | URL, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
  } catch (error) {
    throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `could not reach ${String(url)}: ${unreachableReason(error, timeoutMs)}`, { cause: error })
  }
}
