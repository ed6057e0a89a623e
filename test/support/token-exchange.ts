import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { ClientSettings } from '../../src/clients/client-administration.js'
import { tokenRequest } from './client-assertions.js'

export const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_TOKEN_URN = 'urn:ietf:params:oauth:token-type:access_token'

/** The services of a call chain: the user calls the gateway, which calls billing, which calls ledger. */
export const BILLING = 'https://billing.example'
export const LEDGER = 'https://ledger.example'

export const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

/** A client made as `tollgate client add` makes it, with the permission to exchange unless told otherwise; returns its secret. */
export async function exchangingClient (app: FastifyInstance, id: string, settings: ClientSettings = {}): Promise<string> {
  const { secret = '' } = await app.clients.administration.add(id, { permissions: ['token-exchange'], ...settings })
  return secret
}

/** The three clients of the chain: each may have tokens for the next service and trade those sent to it. */
export async function chainClients (app: FastifyInstance): Promise<Record<'gateway' | 'billing', string>> {
  return {
    gateway: await exchangingClient(app, 'gateway', { audiences: [BILLING] }),
    billing: await exchangingClient(app, 'billing', { audiences: [BILLING, LEDGER] })
  }
}

/** RFC 8693 §2.1's request, the client authenticating with HTTP Basic; `fields` add to or override it. */
export function exchange (app: FastifyInstance, client: { id: string, secret: string }, subjectToken: string, fields: Record<string, string | string[]> = {}): Promise<LightMyRequestResponse> {
  return tokenRequest(app, {
    grant_type: EXCHANGE_GRANT,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_URN,
    ...fields
  }, basic(client.id, client.secret))
}

/** The issued token of an exchange that must succeed. */
export async function exchanged (app: FastifyInstance, client: { id: string, secret: string }, subjectToken: string, fields: Record<string, string | string[]> = {}): Promise<string> {
  const response = await exchange(app, client, subjectToken, fields)
  if (response.statusCode !== 200) throw new Error(`token exchange failed: ${response.statusCode} ${response.body}`)
  return response.json().access_token
}
