import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { TollgateError } from '@tollgate/auth/errors'
import { auditAccountChange, auditAccountRefusal } from '../../src/http/account-audit.js'
import { NewPassword } from '../../src/http/account-schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { Password } from '../../src/http/schemas.js'

const EVENT = 'user.password.change'

const password: FastifyPluginAsyncTypebox = async function (fastify) {
  /** A wrong current password is a failed login: it spends the same per-username budget. */
  async function throttleAsOwner (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await fastify.passwordThrottle(request, reply, (await fastify.users.findById(request.user.sub))?.username)
  }

  fastify.post('/me/password', {
    config: { auth: true },
    preHandler: throttleAsOwner,
    schema: {
      tags: ['users'],
      summary: 'Change your own password; every other session of yours ends, this one goes on',
      body: Type.Object({ current_password: Password, new_password: NewPassword }),
      response: {
        204: Type.Null({ description: 'Changed: sign in with the new password from now on' }),
        400: errorResponse('`ERR_CURRENT_PASSWORD_WRONG`, or `ERR_PASSWORD_REJECTED` with the reason (too short, too long, too common, unchanged)'),
        404: errorResponse('The token was issued to a service client, or the user no longer exists', 'ERR_USER_NOT_FOUND'),
        429: errorResponse('Too many attempts for this username or from this address: see Retry-After')
      }
    }
  }, async function (request, reply) {
    const { sub, sid } = request.user
    const { current_password: current, new_password: next } = request.body
    let sessionsEnded
    try {
      sessionsEnded = await fastify.accounts.changeOwnPassword(sub, sid, current, next)
    } catch (error) {
      auditAccountRefusal(request.log, EVENT, { by: sub, userId: sub }, error)
      if (error instanceof TollgateError && error.code === 'ERR_CURRENT_PASSWORD_WRONG') await fastify.loginFailed(request)
      throw error
    }
    auditAccountChange(request.log, EVENT, { by: sub, userId: sub, sessionsEnded }, 'password changed by its owner')
    return reply.code(204).send(null)
  })
}

export default password
