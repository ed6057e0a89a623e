import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

const health: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/health', {
    schema: {
      tags: ['meta'],
      summary: 'Liveness: 200 while the process is up',
      response: { 200: Type.Object({ status: Type.Literal('ok') }) }
    }
  }, async function () {
    return { status: 'ok' as const }
  })
}

export default health
