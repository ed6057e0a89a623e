import fp from 'fastify-plugin'
import { createClientCredentials, type ClientCredentials } from '../src/clients/client-credentials.js'
import { createClientsRepository, type ClientsRepository } from '../src/clients/clients-repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    clients: ClientsRepository
    clientCredentials: ClientCredentials
  }
}

/** Service clients and the client credentials grant. */
export default fp(async function clients (fastify) {
  const repository = createClientsRepository(fastify.db)
  fastify.decorate('clients', repository)
  fastify.decorate('clientCredentials', createClientCredentials({
    clients: repository, passwords: fastify.passwords, tokens: fastify.tokens, revocations: fastify.revocations
  }))
}, { name: 'clients', dependencies: ['users', 'tokens', 'revocations'] })
