import fp from 'fastify-plugin'
import { createPasswordHasher, type PasswordHasher } from '../src/auth/passwords.js'
import { createUsersRepository, type UsersRepository } from '../src/users/users-repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: UsersRepository
    passwords: PasswordHasher
  }
}

export default fp(async function users (fastify) {
  fastify.decorate('users', createUsersRepository(fastify.db))
  fastify.decorate('passwords', await createPasswordHasher())
}, { name: 'users', dependencies: ['database'] })
