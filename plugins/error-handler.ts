import type { FastifyError } from 'fastify'
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
  if (isStoreUnavailable(error)) return new TollgateError('ERR_STORE_UNAVAILABLE', 'A service Tollgate depends on is unavailable, try again shortly', { cause: error })
  const status = error.statusCode ?? 500
  if (status < 400 || status >= 500) return new TollgateError('ERR_INTERNAL', 'Something went wrong on our side', { cause: error })
  if (status === 429) return new TollgateError('ERR_TOO_MANY_ATTEMPTS', error.message)
  if (oauth) return new TollgateError('ERR_INVALID_REQUEST', `The request is malformed: ${error.message}`)
  if (status === 404) return new TollgateError('ERR_NOT_FOUND', error.message)
  return new TollgateError(FASTIFY_CODES[error.code] ?? 'ERR_INVALID_REQUEST', error.message)
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
