import { TollgateError } from '@tollgate/auth/errors'
import type { RefreshTokenStore } from '../sessions/refresh-tokens.js'
import type { SessionEnding } from '../sessions/session-ending.js'
import type { SessionService } from '../sessions/sessions.js'
import type { RevocationStore } from '../revocations/revocation-store.js'
import { looksLikeJwt, type TokenIntrospection } from './introspection.js'

const NOT_YOURS = new TollgateError('ERR_UNAUTHORIZED_CLIENT', 'The token was not issued to this client')
const CLIENT_REQUIRED = new TollgateError('ERR_INVALID_CLIENT', 'A token issued to a client is revoked by that client, authenticated')

/**
 * RFC 7009 revocation. A token issued to a client is revoked by that client; a user's token, from a
 * login, by whoever presents it, as a logout does: an access token ends with its session, a refresh token
 * ends its session. A token that is not live needs nothing done (§2.2: the answer is the same).
 */
export function createTokenRevocation ({ introspection, refreshTokens, revocationStore, sessions, ending }: {
  introspection: Pick<TokenIntrospection, 'liveAccessToken'>
  refreshTokens: Pick<RefreshTokenStore, 'findLive'>
  revocationStore: Pick<RevocationStore, 'revokeToken'>
  sessions: Pick<SessionService, 'logout'>
  ending: Pick<SessionEnding, 'endSessions'>
}) {
  /** `clientId`: the authenticated client making the request, if any. Returns what was ended, for the audit log. */
  async function revoke (token: string, clientId: string | undefined): Promise<'access_token' | 'refresh_token' | undefined> {
    if (looksLikeJwt(token)) {
      const claims = introspection.liveAccessToken(token)
      if (claims === undefined) return undefined
      if (claims.client_id !== undefined) {
        if (clientId === undefined) throw CLIENT_REQUIRED
        if (clientId !== claims.client_id) throw NOT_YOURS
        await revocationStore.revokeToken(claims.jti, claims.exp)
      } else {
        await sessions.logout(claims)
      }
      return 'access_token'
    }
    const live = await refreshTokens.findLive(token)
    if (live === undefined) return undefined
    await ending.endSessions([live.familyId], 'logout')
    return 'refresh_token'
  }

  return { revoke }
}

export type TokenRevocation = ReturnType<typeof createTokenRevocation>
