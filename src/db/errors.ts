/** Node's and pg's codes for a database that cannot be reached or has gone away. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND',
  '57P01', '57P02', '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '53300', // too_many_connections
  'SQLITE_BUSY', 'SQLITE_CANTOPEN'
])

/** pg reports pool, connection and query timeouts (`query_timeout`) only in the message. */
const UNAVAILABLE_MESSAGE = /timeout exceeded when trying to connect|Query read timeout|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i

/** Whether an error means "the store is unavailable, retry later" (503) rather than a bug (500). */
export function isStoreUnavailable (error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, message, errors } = error as { code?: unknown, message?: unknown, errors?: unknown }
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true
  // An AggregateError (pg tries every address of the host) is unavailable when its parts are.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isStoreUnavailable)
}
