import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '@tollgate/auth/errors'
import { auditAccountChange } from '../../src/http/account-audit.js'
import { endSessionSchema, presentSession, SessionSchema } from '../../src/http/account-schemas.js'

const sessions: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/me/sessions', {
    config: { auth: true },
    schema: {
      tags: ['sessions'],
      summary: 'Your live sessions (one per login), most recently used first',
      response: { 200: Type.Array(Type.Ref(SessionSchema)) }
    }
  }, async function (request) {
    const { sub, sid } = request.user
    return (await fastify.sessions.byUser.list(sub)).map((session) => presentSession(session, sid))
  })

  fastify.delete('/me/sessions/:id', {
    config: { auth: true },
    schema: endSessionSchema('sessions', 'one of your sessions', 'none of your live sessions has this id')
  }, async function (request, reply) {
    const { sub } = request.user
    const ended = await fastify.sessions.byUser.end(request.params.id, sub)
    if (ended === undefined) throw new TollgateError('ERR_SESSION_NOT_FOUND', 'None of your live sessions has this id')
    auditAccountChange(request.log, 'user.session.end', { by: sub, userId: sub, sessionId: ended.id }, 'session ended by its owner')
    return reply.code(204).send(null)
  })
}

export default sessions
