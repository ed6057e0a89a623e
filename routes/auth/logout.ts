import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

const logout: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.post('/logout', {
    config: { auth: true },
    schema: {
      tags: ['auth'],
      summary: 'Log out: this access token and its session\'s refresh tokens stop working at once, on every instance',
      response: { 204: Type.Null({ description: 'Logged out' }) }
    }
  }, async function (request, reply) {
    await fastify.sessions.lifecycle.logout(request.user)
    request.log.info({ event: 'auth.logout', userId: request.user.sub }, 'logged out')
    return reply.code(204).send(null)
  })

  fastify.post('/logout-all', {
    config: { auth: true },
    schema: {
      tags: ['auth'],
      summary: 'Log out everywhere: every token and session of this user ends at once',
      response: { 204: Type.Null({ description: 'Every session ended' }) }
    }
  }, async function (request, reply) {
    await fastify.sessions.ending.endAllSessions(request.user.sub)
    request.log.info({ event: 'auth.logout-all', userId: request.user.sub }, 'logged out everywhere')
    return reply.code(204).send(null)
  })
}

export default logout
