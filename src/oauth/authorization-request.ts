import type { ClientRecord } from '../clients/client-directory.js'
import { matchRedirectUri } from '../clients/redirect-uris.js'

/** The query of `GET /auth/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2). */
export interface AuthorizationQuery {
  response_type?: string | undefined
  client_id?: string | undefined
  redirect_uri?: string | undefined
  state?: string | undefined
  scope?: string | undefined
  resource?: string | undefined
  code_challenge?: string | undefined
  code_challenge_method?: string | undefined
}

/** A request checked: what the code will be bound to once the user has signed in. */
export interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  state?: string
  scope: string
  resource: string
  codeChallenge: string
}

/** The error names of RFC 6749 §4.1.2.1, and RFC 8707 §2's. */
export type AuthorizationErrorName = 'invalid_request' | 'unauthorized_client' | 'access_denied' | 'unsupported_response_type' | 'invalid_scope' | 'invalid_target'

export type CheckedRequest =
  | { kind: 'valid', request: AuthorizationRequest }
  /** The client or the redirect URI cannot be trusted: shown to the person, never redirected to (§4.1.2.1). */
  | { kind: 'page', message: string }
  /** Anything else goes back to the client's registered redirect URI. */
  | { kind: 'redirect', redirectUri: string, state: string | undefined, error: AuthorizationErrorName, description: string }

/** S256 of a 32-byte verifier at least: 43 base64url characters (RFC 7636 §4.2). */
const CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/

/**
 * The redirect URI a request may be answered at: the one it names if the client registered it, else the
 * client's only one (RFC 6749 §3.1.2.3); undefined when it cannot be told.
 */
function redirectUriOf (client: ClientRecord, requested: string | undefined): string | undefined {
  if (requested !== undefined) return matchRedirectUri(client.redirectUris, requested)
  return client.redirectUris.length === 1 ? client.redirectUris[0] : undefined
}

/**
 * Checks an authorization request. PKCE is required with S256 (RFC 9700 §2.1.1): `plain` would put the
 * secret in the browser's history. A user's tokens carry their roles, so no scope can be asked for, and
 * their audience is JWT_AUDIENCE (the refresh tokens of the session go on issuing for it).
 */
export function checkAuthorizationRequest (query: AuthorizationQuery, client: ClientRecord | undefined, defaultAudience: string): CheckedRequest {
  if (query.client_id === undefined) return { kind: 'page', message: 'The request names no client (client_id).' }
  if (client === undefined) return { kind: 'page', message: 'The request names a client this server does not know.' }
  const redirectUri = redirectUriOf(client, query.redirect_uri)
  if (redirectUri === undefined) {
    return { kind: 'page', message: query.redirect_uri === undefined ? 'The request must say where to return (redirect_uri).' : 'The request asks to return to an address this client has not registered.' }
  }
  const { state } = query
  const refuse = (error: AuthorizationErrorName, description: string): CheckedRequest => ({ kind: 'redirect', redirectUri, state, error, description })
  if (client.disabled) return refuse('unauthorized_client', 'The client is disabled')
  if (query.response_type !== 'code') return refuse('unsupported_response_type', 'Only response_type=code is supported')
  if (query.code_challenge === undefined) return refuse('invalid_request', 'PKCE is required: code_challenge and code_challenge_method=S256')
  if (query.code_challenge_method !== 'S256') return refuse('invalid_request', 'Only code_challenge_method=S256 is supported')
  if (!CHALLENGE.test(query.code_challenge)) return refuse('invalid_request', 'code_challenge must be 43 to 128 base64url characters')
  if (query.scope !== undefined && query.scope.trim() !== '') return refuse('invalid_scope', 'A user\'s tokens carry their roles: no scope can be asked for')
  if (query.resource !== undefined && query.resource !== defaultAudience) return refuse('invalid_target', `A user's tokens are for ${defaultAudience} only`)
  return {
    kind: 'valid',
    request: { clientId: client.id, redirectUri, ...(state === undefined ? {} : { state }), scope: '', resource: defaultAudience, codeChallenge: query.code_challenge }
  }
}

/** The redirect URI with the answer's parameters added to its own query (RFC 6749 §4.1.2). */
export function redirectTo (redirectUri: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.set(name, value)
  return url.href
}
