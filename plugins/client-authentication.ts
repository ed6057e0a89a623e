import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Client, ClientPermission } from '../src/clients/clients-repository.js'
import { TollgateError } from '../src/errors.js'
import { auditClientRefusal } from '../src/http/audit.js'
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

/** Every refusal is an audit line, as at the token endpoint. */
function refused (request: FastifyRequest, method: string | undefined, error: TollgateError): TollgateError {
  auditClientRefusal(request, method, error)
  return error
}

/** Client authentication for the endpoints beside the token endpoint: introspection and revocation. */
export default fp(async function clientAuthenticationPlugin (fastify) {
  fastify.decorate('authenticateClient', async function authenticateClient (request: FastifyRequest, body: ClientCredentialsBody, permission?: ClientPermission) {
    const proof = clientAuthentication(request.headers.authorization, body)
    if (!proof.ok) throw refused(request, undefined, proof.error)
    const authenticated = await fastify.clientCredentials.authenticate(proof.value)
    if (!authenticated.ok) throw refused(request, proof.value.method, authenticated.error)
    const client = authenticated.value
    if (permission !== undefined && !client.permissions.includes(permission)) {
      throw refused(request, proof.value.method, new TollgateError('ERR_FORBIDDEN',
        `This client lacks the ${permission} permission (tollgate client add --permissions)`, { reason: `no ${permission} permission`, subject: client.id }))
    }
    return client
  })
}, { name: 'client-authentication', dependencies: ['core'] })
