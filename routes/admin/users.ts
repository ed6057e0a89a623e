import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '@tollgate/auth/errors'
import { auditAccountChange } from '../../src/http/account-audit.js'
import { IdParams, NewPassword } from '../../src/http/account-schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { Username } from '../../src/http/schemas.js'
import { MAX_ROLES, ROLE_PATTERN, type User } from '../../src/users/users-repository.js'

const AdminUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' })
}, { $id: 'AdminUser', title: 'AdminUser' })

const Role = Type.String({ pattern: ROLE_PATTERN.source })
const Roles = Type.Array(Role, { maxItems: MAX_ROLES })

const present = (user: User) => ({ ...user, createdAt: new Date(user.createdAt).toISOString() })

const adminUsers: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.addSchema(AdminUser)

  fastify.get('/users', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Every user (never a password hash)',
      response: { 200: Type.Array(Type.Ref(AdminUser)) }
    }
  }, async function () {
    return (await fastify.users.list()).map(present)
  })

  fastify.patch('/users/:id', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Change a user\'s roles or disable them; either ends the tokens they hold',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      // Unknown fields are refused with a schema nothing matches, not `false`: Fastify's Ajv silently strips
      // those, so a typo like `{"disable": true}` would answer 200 and change nothing.
      body: Type.Object({
        roles: Type.Optional(Roles),
        disabled: Type.Optional(Type.Boolean())
      }, { additionalProperties: Type.Never(), minProperties: 1 }),
      response: {
        200: Type.Ref(AdminUser),
        404: errorResponse('No user has this id', 'ERR_USER_NOT_FOUND'),
        409: errorResponse('`ERR_LAST_ADMIN`: the change would leave no enabled admin')
      }
    }
  }, async function (request) {
    const { id } = request.params
    const { roles, disabled } = request.body
    let user = roles === undefined ? await fastify.users.findById(id) : await fastify.accounts.setRoles(id, roles)
    if (user !== undefined && disabled !== undefined) user = await fastify.accounts.setDisabled(id, disabled)
    if (user === undefined) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    request.log.info({ event: 'admin.user.update', userId: id, by: request.user.sub, roles, disabled }, 'user updated')
    return present(user)
  })

  fastify.post('/users', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Create a user',
      body: Type.Object({ username: Username, password: NewPassword, roles: Type.Optional(Roles) }, { additionalProperties: Type.Never() }),
      response: {
        201: Type.Ref(AdminUser),
        400: errorResponse('`ERR_PASSWORD_REJECTED` with the reason, or a username or role that cannot be used'),
        409: errorResponse('`ERR_USERNAME_TAKEN`: usernames are unique regardless of case')
      }
    }
  }, async function (request, reply) {
    const user = await fastify.accounts.create(request.body)
    auditAccountChange(request.log, 'admin.user.create', { by: request.user.sub, userId: user.id, username: user.username, roles: user.roles }, 'user created')
    return reply.code(201).send(present(user))
  })

  fastify.delete('/users/:id', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Delete a user: every token they hold ends at once; the username may be taken again, the id never comes back',
      params: IdParams,
      response: {
        204: Type.Null({ description: 'Deleted' }),
        404: errorResponse('`ERR_USER_NOT_FOUND`: no user has this id', 'ERR_USER_NOT_FOUND'),
        409: errorResponse('`ERR_LAST_ADMIN`: the only enabled admin cannot be deleted')
      }
    }
  }, async function (request, reply) {
    const user = await fastify.accounts.remove(request.params.id)
    auditAccountChange(request.log, 'admin.user.delete', { by: request.user.sub, userId: user.id, username: user.username }, 'user deleted')
    return reply.code(204).send(null)
  })

  fastify.put('/users/:id/password', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Set a user\'s password: every session of theirs ends',
      params: IdParams,
      body: Type.Object({ password: NewPassword }, { additionalProperties: Type.Never() }),
      response: {
        204: Type.Null({ description: 'Set' }),
        400: errorResponse('`ERR_PASSWORD_REJECTED` with the reason'),
        404: errorResponse('`ERR_USER_NOT_FOUND`: no user has this id', 'ERR_USER_NOT_FOUND')
      }
    }
  }, async function (request, reply) {
    const user = await fastify.accounts.setPassword(request.params.id, request.body.password)
    auditAccountChange(request.log, 'admin.user.password', { by: request.user.sub, userId: user.id, username: user.username }, 'password set by an admin')
    return reply.code(204).send(null)
  })
}

export default adminUsers
