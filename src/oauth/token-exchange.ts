import type { ClientCredentials, ClientProof } from '../clients/client-credentials.js'
import type { ClientRecord } from '../clients/client-directory.js'
import { fail, ok, TollgateError, type ErrorCode, type Result } from '@tollgate/auth/errors'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { issueAccessToken, type TokenResponse } from '../sessions/token-response.js'
import { actorDepth, MAX_ACTOR_DEPTH, type AccessClaims } from '@tollgate/auth/tokens/claims'
import type { TokenService } from '../tokens/token-service.js'

/** RFC 8693 §3: the one token type Tollgate exchanges and issues. */
export const ACCESS_TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:access_token'

/** A token exchange's request, its parameters read and checked for shape (RFC 8693 §2.1). */
export interface ExchangeRequest {
  proof: ClientProof
  subjectToken: string
  actorToken?: string | undefined
  /** The one service the new token is for, from `resource` or `audience`. */
  target: string
  scope?: string | undefined
}

/** What was exchanged, for the audit log: whose token, by which client, for which service. */
export interface ExchangeOutcome {
  subject?: string
  actor?: string
  target: string
}

export type ExchangeResult =
  | { ok: true, value: ExchangeOutcome & { response: TokenResponse } }
  | { ok: false, error: TollgateError, outcome: Partial<ExchangeOutcome> }

export interface TokenExchangeDeps {
  credentials: Pick<ClientCredentials, 'authenticate'>
  tokens: Pick<TokenService, 'verifyAnyAudience' | 'ttlSeconds'> & Parameters<typeof issueAccessToken>[0]
  revocations: RevocationList
  /** JWT_AUDIENCE: a token for Tollgate itself, which any client holding the permission may exchange. */
  defaultAudience: string
}

/** One error a refusal, its reason kept for the audit log only. */
const refusal = (code: ErrorCode, message: string, reason: string, clientId: string): TollgateError =>
  new TollgateError(code, message, { reason, subject: clientId })

/**
 * RFC 8693 token exchange: a service trades a token it was sent for one carrying the same user to the
 * next service, itself named as the actor. The new token keeps the subject token's session id, so it is
 * refused everywhere the moment that session ends, by the revocations that already end the session's
 * own tokens.
 */
export function createTokenExchange ({ credentials, tokens, revocations, defaultAudience }: TokenExchangeDeps) {
  /**
   * A live Tollgate access token this client may present: signed by Tollgate, unexpired, not revoked, and
   * meant for Tollgate itself or for one of the client's own audiences. A token for any other service is
   * not the client's to trade: it could only have it by that service leaking it.
   */
  function liveToken (token: string, client: ClientRecord, what: string): Result<AccessClaims> {
    let claims
    try {
      claims = tokens.verifyAnyAudience(token)
    } catch (error) {
      return fail(refusal('ERR_INVALID_GRANT', `The ${what} is invalid or expired`, (error as TollgateError).reason ?? 'invalid', client.id))
    }
    // Tollgate's own key set never needs a fetch, so its verifier answers at once.
    if (claims instanceof Promise) return fail(refusal('ERR_INVALID_GRANT', `The ${what} is invalid or expired`, 'invalid', client.id))
    if (revocations.isRevoked(claims)) return fail(refusal('ERR_INVALID_GRANT', `The ${what} has been revoked`, 'revoked', client.id))
    if (claims.aud !== defaultAudience && !client.audiences.includes(claims.aud)) {
      return fail(refusal('ERR_INVALID_GRANT', `The ${what} was issued for another audience`, 'foreign audience', client.id))
    }
    return ok(claims)
  }

  /** RFC 6749 §3.3 within RFC 8693 §2.1: the scopes asked for, all held by the subject token and allowed to the client. */
  function scopeFor (subject: AccessClaims, client: ClientRecord, requested: string | undefined): Result<string> {
    const held = subject.scope.split(' ').filter((scope) => scope !== '')
    const allowed = (scope: string): boolean => held.includes(scope) && client.scopes.includes(scope)
    if (requested === undefined) return ok(held.filter(allowed).join(' '))
    const asked = [...new Set(requested.split(' ').filter((scope) => scope !== ''))]
    const wider = asked.filter((scope) => !allowed(scope))
    if (wider.length > 0) return fail(refusal('ERR_INVALID_SCOPE', `Neither wider than the subject token's scope nor than the client's: ${wider.join(' ').slice(0, 200)}`, 'scope', client.id))
    return ok(asked.join(' '))
  }

  async function exchange ({ proof, subjectToken, actorToken, target, scope }: ExchangeRequest): Promise<ExchangeResult> {
    const authenticated = await credentials.authenticate(proof)
    if (!authenticated.ok) return { ...authenticated, outcome: { target } }
    const client = authenticated.value
    const outcome: Partial<ExchangeOutcome> = { actor: client.id, target }
    const refused = (error: TollgateError): ExchangeResult => ({ ok: false, error, outcome })
    if (!client.permissions.includes('token-exchange')) {
      return refused(refusal('ERR_UNAUTHORIZED_CLIENT', 'The client may not exchange tokens: it needs the permission token-exchange', 'permission', client.id))
    }
    const subject = liveToken(subjectToken, client, 'subject token')
    if (!subject.ok) return refused(subject.error)
    const claims = subject.value
    outcome.subject = claims.sub
    if (actorToken !== undefined) {
      const actor = liveToken(actorToken, client, 'actor token')
      if (!actor.ok) return refused(actor.error)
      if (actor.value.sub !== client.id || actor.value.client_id !== client.id) {
        return refused(refusal('ERR_INVALID_GRANT', 'The actor token is not the client\'s own', 'actor is another client', client.id))
      }
    }
    if (!client.audiences.includes(target)) {
      return refused(refusal('ERR_INVALID_TARGET', `The client may not have tokens for ${JSON.stringify(target.slice(0, 200))}`, 'target', client.id))
    }
    const granted = scopeFor(claims, client, scope)
    if (!granted.ok) return refused(granted.error)
    const depth = actorDepth(claims.act) + 1
    if (depth > MAX_ACTOR_DEPTH) {
      return refused(refusal('ERR_INVALID_GRANT', `The subject token has been exchanged ${MAX_ACTOR_DEPTH} times already`, 'actor chain too long', client.id))
    }
    // A token with less than a second left would be issued dead.
    if (claims.exp <= Math.floor(Date.now() / 1000)) return refused(refusal('ERR_INVALID_GRANT', 'The subject token is invalid or expired', 'expired', client.id))
    const response = issueAccessToken(tokens, revocations, {
      id: claims.sub,
      roles: claims.roles,
      scope: granted.value,
      clientId: client.id,
      audience: target,
      // RFC 8693 §4.1: the current actor outermost, the earlier ones nested inside it.
      actor: { sub: client.id, ...(claims.act === undefined ? {} : { act: claims.act }) },
      ...(claims.sid === undefined ? {} : { sessionId: claims.sid }),
      ttlSeconds: client.tokenTtl ?? tokens.ttlSeconds,
      notAfter: claims.exp
    })
    return ok({ subject: claims.sub, actor: client.id, target, response: { ...response, issued_token_type: ACCESS_TOKEN_TYPE_URN } })
  }

  return { exchange }
}

export type TokenExchange = ReturnType<typeof createTokenExchange>
