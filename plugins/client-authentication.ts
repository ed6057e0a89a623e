import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { Client, ClientPermission } from '../src/clients/clients-repository.js'
import { TollgateError } from '@tollgate/auth/errors'
import { clientAuthentication, type ClientAuthenticationFields } from '../src/http/client-authentication.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'

/**
 * A route that takes a client says so in `config.client`, as a guarded route says `config.auth`: `true`,
 * or which permission the client needs, and whether a request may come without a client at all. The check,
 * the OpenAPI security and the 401 answer follow from it.
 */
export type ClientSetting = true | {
  permission?: ClientPermission
  /** Authenticate a client only when the request presents one (RFC 7009: a login's token needs none). */
  optional?: true
}

declare module 'fastify' {
  interface FastifyContextConfig {
    client?: ClientSetting
  }
  interface FastifyRequest {
    /** The authenticated client, on a route with `config.client` (undefined when optional and absent). */
    client: Client | undefined
  }
}

const settingOf = (setting: ClientSetting | undefined) => setting === undefined ? undefined : setting === true ? {} : setting

/** A `client_id` alone is a public client's (RFC 7009 §2.1, `none`): it proves nothing, so it is not a presented client. */
function presentsClient (request: FastifyRequest, body: ClientAuthenticationFields): boolean {
  return request.headers.authorization !== undefined || body.client_secret !== undefined ||
    body.client_assertion !== undefined || body.client_assertion_type !== undefined
}

/** Client authentication as a route setting, for the endpoints beside the token endpoint. */
export default fp(async function clientAuthenticationPlugin (fastify) {
  const { credentials } = fastify.clients
  fastify.decorateRequest('client', undefined)

  /** Refuses with invalid_client (401), or 403 without the permission, audited with why and the id claimed, never the secret. */
  function refuse (request: FastifyRequest, error: TollgateError, method: string | undefined): never {
    request.log.warn({ event: 'auth.client', outcome: 'failure', endpoint: request.routeOptions.url, clientId: error.subject, method, code: error.code, ...(error.reason === undefined ? {} : { reason: error.reason }) },
      'client authentication failed')
    throw error
  }

  // At request time from the route's own setting, as the bearer guard is: no route order leaves one unchecked.
  fastify.addHook('preHandler', async function authenticateClient (request: FastifyRequest, _reply: FastifyReply) {
    const setting = settingOf(request.routeOptions.config.client)
    if (setting === undefined) return
    const body = (request.body ?? {}) as ClientAuthenticationFields
    if (setting.optional === true && !presentsClient(request, body)) return
    const proof = clientAuthentication(request.headers.authorization, body)
    if (!proof.ok) refuse(request, proof.error, undefined)
    const authenticated = await credentials.authenticate(proof.value)
    if (!authenticated.ok) refuse(request, authenticated.error, proof.value.method)
    const client = authenticated.value
    if (setting.permission !== undefined && !client.permissions.includes(setting.permission)) {
      refuse(request, new TollgateError('ERR_FORBIDDEN', `This client lacks the ${setting.permission} permission (tollgate client add --permissions)`,
        { reason: `no ${setting.permission} permission`, subject: client.id }), proof.value.method)
    }
    request.client = client
  })

  // The OpenAPI security and the 401/403 answers follow from the setting, as config.auth's do.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const setting = settingOf(route.config?.client)
    if (setting === undefined) return
    const response = route.schema?.response as Record<string, unknown> | undefined
    route.schema = {
      ...route.schema,
      security: [{ clientBasic: [] }, ...(setting.optional === true ? [{}] : [])],
      response: {
        ...response,
        401: response?.[401] ?? Type.Ref('OAuthError', { description: '`invalid_client`: client authentication failed' }),
        ...(setting.permission === undefined ? {} : { 403: errorResponse(`The client lacks the \`${setting.permission}\` permission`) })
      }
    }
  })
}, { name: 'client-authentication', dependencies: ['core'] })
