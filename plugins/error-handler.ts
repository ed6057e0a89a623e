import { STATUS_CODES } from 'node:http'
import type { FastifyError } from 'fastify'
import fp from 'fastify-plugin'
import { isStoreUnavailable } from '../src/db/errors.js'

/**
 * One answer shape for every error: `{ statusCode, error, message, code? }`. A 5xx is logged with its
 * cause and answered with a generic message, so no stack or internal detail ever reaches a client; a
 * store that cannot be reached is a 503 with `Retry-After`, not a 500.
 */
export default fp(async function errorHandler (fastify) {
  fastify.setErrorHandler<FastifyError>(function (error, request, reply) {
    const statusCode = typeof error.statusCode === 'number' && error.statusCode >= 400
      ? error.statusCode
      : isStoreUnavailable(error) ? 503 : 500
    if (statusCode === 503) reply.header('retry-after', '5')
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
      const message = statusCode === 503 ? 'A service Tollgate depends on is unavailable, try again shortly' : 'Something went wrong on our side'
      return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode], message })
    }
    return reply.code(statusCode).send({
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: error.message,
      ...(typeof error.code === 'string' ? { code: error.code } : {})
    })
  })
}, { name: 'error-handler' })
