import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Client, ClientPermission } from '../src/clients/clients-repository.js'
import { TollgateError } from '../src/errors.js'
import { clientAuthentication } from '../src/http/client-authentication.js'

/** The body members a client may authenticate with (RFC 6749 §2.3.1). */
export interface ClientCredentialsBody {
  client_id?: string
  client_secret?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The client the request authenticates as, by any method the token endpoint accepts; throws
     * `invalid_client` (401) otherwise, and `ERR_FORBIDDEN` (403) without `permission`.
     */
    authenticateClient (request: FastifyRequest, body: ClientCredentialsBody, permission?: ClientPermission): Promise<Client>
  }
}

const FAILED = new TollgateError('ERR_INVALID_CLIENT', 'Client authentication failed')

/** Client authentication for the endpoints beside the token endpoint: introspection and revocation. */
export default fp(async function clientAuthenticationPlugin (fastify) {
  fastify.decorate('authenticateClient', async function authenticateClient (request: FastifyRequest, body: ClientCredentialsBody, permission?: ClientPermission) {
    const credentials = clientAuthentication(request.headers.authorization, body)
    if (!credentials.ok) throw credentials.error
    const client = await fastify.clientCredentials.checkSecret(credentials.value.id, credentials.value.secret)
    if (client === undefined) throw FAILED
    if (permission !== undefined && !client.permissions.includes(permission)) {
      throw new TollgateError('ERR_FORBIDDEN', `This client lacks the ${permission} permission (tollgate client add --permissions)`)
    }
    return client
  })
}, { name: 'client-authentication', dependencies: ['core'] })
