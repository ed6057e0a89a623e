import type { AccessClaims, Actor } from '@tollgate/auth/tokens/claims'
import type { RefreshTokenStore } from '../sessions/refresh-tokens.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { TokenService } from '../tokens/token-service.js'
import type { UsersRepository } from '../users/users-repository.js'

/** RFC 7662 §2.2's answer: everything about a live token, or `active: false` and nothing else. */
export type Introspection =
  | { active: false }
  | {
    active: true
    token_type: 'Bearer' | 'refresh_token'
    sub: string
    client_id?: string
    scope: string
    exp: number
    iat: number
    iss: string
    aud?: string
    jti?: string
    sid?: string
    /** RFC 8693 §4.1: who acts for the subject, on an exchanged token. */
    act?: Actor
  }

const INACTIVE: Introspection = { active: false }

/** An access token is a JWS (three dot-separated parts); a refresh token is one opaque base64url string. */
export const looksLikeJwt = (token: string): boolean => token.includes('.')

/**
 * What a token is, if it is live. Access tokens go through the same verifier as every guard (cached,
 * revocation-aware, no database read); refresh tokens are looked up by their hash, without being spent.
 * Anything else — expired, revoked, forged, unknown, garbage — is `active: false`, whatever it was.
 */
export function createTokenIntrospection ({ tokens, revocations, refreshTokens, users, issuer }: {
  tokens: Pick<TokenService, 'verifyAnyAudience'>
  revocations: RevocationList
  refreshTokens: Pick<RefreshTokenStore, 'findLive'>
  users: Pick<UsersRepository, 'findById'>
  issuer: string
}) {
  /**
   * The claims of a live access token, or undefined: Tollgate's tokens for every audience, those issued
   * for a client's resource (RFC 8707) or by a token exchange included, as the server knows them all.
   */
  function liveAccessToken (token: string): AccessClaims | undefined {
    try {
      const claims = tokens.verifyAnyAudience(token)
      // Tollgate's own key set never needs a fetch, so its verifier answers at once.
      if (claims instanceof Promise) return undefined
      return revocations.isRevoked(claims) ? undefined : claims
    } catch {
      return undefined
    }
  }

  async function introspectRefreshToken (token: string): Promise<Introspection> {
    const live = await refreshTokens.findLive(token)
    if (live === undefined || revocations.isSessionRevoked(live.familyId)) return INACTIVE
    // A refresh for a disabled or deleted user is refused, so its token is not live either.
    const user = await users.findById(live.userId)
    if (user === undefined || user.disabled) return INACTIVE
    return {
      active: true,
      token_type: 'refresh_token',
      sub: live.userId,
      scope: '',
      exp: Math.floor(live.expiresAt / 1000),
      iat: Math.floor(live.createdAt / 1000),
      iss: issuer,
      sid: live.familyId
    }
  }

  /**
   * The two kinds of token cannot be mistaken for each other by their shape, so `token_type_hint` is not
   * needed, and a wrong one changes nothing (RFC 7662 §2.1 lets a server ignore it).
   */
  async function introspect (token: string): Promise<Introspection> {
    if (looksLikeJwt(token)) {
      const claims = liveAccessToken(token)
      if (claims === undefined) return INACTIVE
      return {
        active: true,
        token_type: 'Bearer',
        sub: claims.sub,
        ...(claims.client_id === undefined ? {} : { client_id: claims.client_id }),
        scope: claims.scope,
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: claims.jti,
        ...(claims.sid === undefined ? {} : { sid: claims.sid }),
        ...(claims.act === undefined ? {} : { act: claims.act })
      }
    }
    return introspectRefreshToken(token)
  }

  return { introspect, liveAccessToken }
}

export type TokenIntrospection = ReturnType<typeof createTokenIntrospection>
