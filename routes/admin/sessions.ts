import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '@tollgate/auth/errors'
import { auditAccountChange } from '../../src/http/account-audit.js'
import { endSessionSchema, IdParams, presentSession, SessionSchema } from '../../src/http/account-schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'

const adminSessions: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/users/:id/sessions', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'A user\'s live sessions, most recently used first',
      params: IdParams,
      response: {
        200: Type.Array(Type.Ref(SessionSchema)),
        404: errorResponse('`ERR_USER_NOT_FOUND`: no user has this id', 'ERR_USER_NOT_FOUND')
      }
    }
  }, async function (request) {
    const { id } = request.params
    if (await fastify.users.findById(id) === undefined) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    return (await fastify.sessions.byUser.list(id)).map((session) => presentSession(session, request.user.sid))
  })

  fastify.delete('/sessions/:id', {
    config: { auth: { roles: ['admin'] } },
    schema: endSessionSchema('admin', 'any user\'s session', 'no live session has this id')
  }, async function (request, reply) {
    const ended = await fastify.sessions.byUser.end(request.params.id)
    if (ended === undefined) throw new TollgateError('ERR_SESSION_NOT_FOUND', 'No live session has this id')
    auditAccountChange(request.log, 'admin.session.end', { by: request.user.sub, userId: ended.userId, sessionId: ended.id }, 'session ended by an admin')
    return reply.code(204).send(null)
  })
}

export default adminSessions
