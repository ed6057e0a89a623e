import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'

const Status = Type.Union([Type.Literal('ok'), Type.Literal('down'), Type.Literal('not configured')])
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  database: Status,
  redis: Status
})

/** How long a dependency may take to answer before it counts as down. */
const PROBE_TIMEOUT_MS = 1000

async function probe (check: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS) })
  try {
    await Promise.race([check(), timeout])
    return 'ok'
  } catch {
    return 'down'
  } finally {
    clearTimeout(timer)
  }
}

const ready: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/ready', {
    schema: {
      tags: ['meta'],
      summary: 'Readiness: the database and Redis. 503 while the database is down (logins cannot work); ' +
        '200 "degraded" while only Redis is down (tokens still verify, revocations spread through the database)',
      response: { 200: Readiness, 503: Readiness }
    }
  }, async function (_request, reply) {
    const [database, redis] = await Promise.all([
      probe(() => sql`select 1`.execute(fastify.db)),
      fastify.config.REDIS_URL === undefined ? 'not configured' as const : probe(() => fastify.redis.ping())
    ])
    if (database === 'down') return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database, redis })
    return { status: redis === 'down' ? 'degraded' as const : 'ok' as const, database, redis }
  })
}

export default ready
