import { STATUS_CODES } from 'node:http'
import type { FastifyError } from 'fastify'
import fp from 'fastify-plugin'
import { isStoreUnavailable } from '../src/db/errors.js'

/** Seconds a client should wait before retrying while a store is unavailable (as /ready says). */
const RETRY_AFTER_SECONDS = 5

/**
 * One answer shape for every error: `{ statusCode, error, message, code? }`. A 5xx is logged with its
 * cause and answered with a generic message, so no stack or internal detail ever reaches a client; an
 * unreachable store is a 503 with Retry-After, not a 500.
 */
export default fp(async function errorHandler (fastify) {
  fastify.setErrorHandler<FastifyError>(function (error, request, reply) {
    const statusCode = isStoreUnavailable(error)
      ? 503
      : typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode <= 599 ? error.statusCode : 500
    let body: Record<string, unknown>
    if (statusCode === 503) {
      // A database or other store that cannot be reached: the client may retry, and the log says which.
      request.log.warn({ err: error }, 'request failed: a store is unavailable')
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      body = { statusCode, error: 'Service Unavailable', message: 'A service Tollgate depends on is unavailable, try again shortly' }
    } else if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
      body = { statusCode, error: STATUS_CODES[statusCode] ?? 'Internal Server Error', message: 'Something went wrong on our side' }
    } else {
      body = {
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        message: error.message,
        ...(typeof error.code === 'string' ? { code: error.code } : {})
      }
    }
    // Sent already serialized: otherwise the route's response schema for this status applies, and one
    // of another shape (the token endpoint's RFC 6749 400 body) fails on this one and turns the client's
    // 400 into a 500.
    return reply.code(statusCode).type('application/json; charset=utf-8').send(JSON.stringify(body))
  })
}, { name: 'error-handler' })
