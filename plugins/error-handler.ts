import { STATUS_CODES } from 'node:http'
import type { FastifyError } from 'fastify'
import fp from 'fastify-plugin'

/**
 * One answer shape for every error: `{ statusCode, error, message, code? }`. A 5xx is logged with its
 * cause and answered with a generic message, so no stack or internal detail ever reaches a client.
 */
export default fp(async function errorHandler (fastify) {
  fastify.setErrorHandler<FastifyError>(function (error, request, reply) {
    const statusCode = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode <= 599 ? error.statusCode : 500
    let body: Record<string, unknown>
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
      const message = statusCode === 503 ? 'A service Tollgate depends on is unavailable, try again shortly' : 'Something went wrong on our side'
      body = { statusCode, error: STATUS_CODES[statusCode] ?? 'Internal Server Error', message }
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
