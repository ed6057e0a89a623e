import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { TollgateError, type ErrorCode } from '@tollgate/auth/errors'
import { isStoreUnavailable } from '../src/db/errors.js'
import { sendError } from '@tollgate/auth/http/error-reply'

/** Seconds a client should wait before retrying while a store is unavailable (as /ready says). */
const RETRY_AFTER_SECONDS = 5

/** Fastify's own failures of a request (its body, its size, its schema), as Tollgate's codes. */
const FASTIFY_CODES: Partial<Record<string, ErrorCode>> = {
  FST_ERR_VALIDATION: 'ERR_VALIDATION',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_BODY_TOO_LARGE',
  FST_ERR_RATE_LIMIT_EXCEEDED: 'ERR_TOO_MANY_ATTEMPTS'
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is an OAuth endpoint: its errors answer RFC 6749's `{error, error_description}` too. */
    oauth?: boolean
  }
}

/**
 * Whatever was thrown, as a TollgateError. A client's fault keeps its message; on an OAuth endpoint it is
 * `invalid_request` with 400, as RFC 6749 §5.2 wants for anything malformed, except throttling's 429.
 */
function toTollgateError (error: FastifyError, oauth: boolean): TollgateError {
  if (error instanceof TollgateError) return error
  // A client's own failure first: an upload aborted halfway fails reading the body with Node's ECONNRESET,
  // which Fastify marks 400; it is the client's connection that went, not a store.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return clientError(error, oauth)
  if (isStoreUnavailable(error)) return new TollgateError('ERR_STORE_UNAVAILABLE', 'A service Tollgate depends on is unavailable, try again shortly', { cause: error })
  return new TollgateError('ERR_INTERNAL', 'Something went wrong on our side', { cause: error })
}

/** A 4xx thrown by Fastify or a plugin, as a TollgateError. */
function clientError (error: FastifyError, oauth: boolean): TollgateError {
  const status = error.statusCode
  if (status === 429) return new TollgateError('ERR_TOO_MANY_ATTEMPTS', error.message)
  // A body too large or of the wrong type keeps its status on the OAuth endpoints too (RFC 6749 §5.2
  // names no status for them); its OAuth error is `invalid_request` all the same.
  const code = FASTIFY_CODES[error.code]
  if (code === 'ERR_BODY_TOO_LARGE' || code === 'ERR_UNSUPPORTED_MEDIA_TYPE') return new TollgateError(code, error.message)
  if (oauth) return new TollgateError('ERR_INVALID_REQUEST', `The request is malformed: ${error.message}`)
  if (status === 404) return new TollgateError('ERR_NOT_FOUND', error.message)
  return new TollgateError(FASTIFY_CODES[error.code] ?? 'ERR_INVALID_REQUEST', error.message)
}

/**
 * Fastify's failures before any route is found, which its error handler never sees: a URL whose
 * percent-escapes do not decode (`FST_ERR_BAD_URL`). Given to Fastify's `frameworkErrors` option.
 */
export function frameworkErrors (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed: a percent-escape does not decode' : 'The request is malformed'
  sendError(reply, new TollgateError('ERR_INVALID_REQUEST', message))
}

/**
 * One answer shape for every error (src/http/error-reply.ts). A 5xx is logged with its cause and answered
 * with a generic message, so no stack or internal detail ever reaches a client; an unreachable store is a
 * 503 with Retry-After, not a 500.
 */
export default fp(async function errorHandler (fastify) {
  fastify.setErrorHandler<FastifyError>(function (thrown, request, reply) {
    const oauth = request.routeOptions.config.oauth === true
    const error = toTollgateError(thrown, oauth)
    if (error.code === 'ERR_STORE_UNAVAILABLE') {
      request.log.warn({ err: thrown }, 'request failed: a store is unavailable')
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
    } else if (error.code === 'ERR_INTERNAL') {
      request.log.error({ err: thrown }, 'request failed')
    }
    return sendError(reply, error, { oauth })
  })
  fastify.setNotFoundHandler(function (request, reply) {
    return sendError(reply, new TollgateError('ERR_NOT_FOUND', `Route ${request.method}:${request.url.slice(0, 200)} not found`))
  })
}, { name: 'error-handler' })
