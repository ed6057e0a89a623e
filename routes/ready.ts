import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { probeDependencies } from '../src/health/dependencies.js'

const Status = Type.Union([Type.Literal('ok'), Type.Literal('down'), Type.Literal('not configured')])
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  database: Status,
  redis: Status
})

const ready: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/ready', {
    schema: {
      tags: ['meta'],
      summary: 'Readiness: the database and Redis. 503 while the database is down (logins cannot work); ' +
        '200 "degraded" while only Redis is down (tokens still verify, revocations spread through the database)',
      response: { 200: Readiness, 503: Readiness }
    }
  }, async function (_request, reply) {
    const { database, redis } = await probeDependencies(fastify.db, fastify.config.REDIS_URL === undefined ? undefined : fastify.redis)
    if (database === 'down') return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database, redis })
    return { status: redis === 'down' ? 'degraded' as const : 'ok' as const, database, redis }
  })
}

export default ready
