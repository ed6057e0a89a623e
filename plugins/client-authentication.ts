import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Client, ClientPermission } from '../src/clients/clients-repository.js'
import { TollgateError } from '../src/errors.js'
import { clientAuthentication, type ClientAuthenticationFields } from '../src/http/client-authentication.js'

/** The body members a client may authenticate with (RFC 6749 §2.3.1, RFC 7523 §2.2). */
export type ClientCredentialsBody = ClientAuthenticationFields

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The client the request authenticates as, by any method the token endpoint accepts; throws
     * `invalid_client` (401) otherwise, and `ERR_FORBIDDEN` (403) without `permission`.
     */
    authenticateClient (request: FastifyRequest, body: ClientCredentialsBody, permission?: ClientPermission): Promise<Client>
  }
}

/** Client authentication for the endpoints beside the token endpoint: introspection and revocation. */
export default fp(async function clientAuthenticationPlugin (fastify) {
  fastify.decorate('authenticateClient', async function authenticateClient (request: FastifyRequest, body: ClientCredentialsBody, permission?: ClientPermission) {
    const proof = clientAuthentication(request.headers.authorization, body)
    if (!proof.ok) throw proof.error
    const authenticated = await fastify.clients.credentials.authenticate(proof.value)
    if (!authenticated.ok) throw authenticated.error
    const client = authenticated.value
    if (permission !== undefined && !client.permissions.includes(permission)) {
      throw new TollgateError('ERR_FORBIDDEN', `This client lacks the ${permission} permission (tollgate client add --permissions)`)
    }
    return client
  })
}, { name: 'client-authentication', dependencies: ['core'] })
