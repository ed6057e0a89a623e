import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { RevocationStore } from '../revocations/revocation-store.js'
import type { RefreshTokenStore, RevokeReason } from './refresh-tokens.js'

export interface SessionEndingDeps {
  refreshTokens: Pick<RefreshTokenStore, 'revokeFamily' | 'revokeUserFamilies'>
  revocations: Pick<RevocationList, 'nextCutoff'>
  revocationStore: Pick<RevocationStore, 'revokeSession' | 'revokeToken' | 'cutOff'>
}

/**
 * The one way a session ends, for logout, session deletion, password changes, disabled and deleted users:
 * refused in this instance's memory first, announced to every other instance (Redis, when configured) next,
 * recorded in the database last. With the database down the caller answers 503, but the session's tokens are
 * already refused everywhere, and a refresh, which checks the session in memory too, cannot revive it.
 */
export function createSessionEnding ({ refreshTokens, revocations, revocationStore }: SessionEndingDeps) {
  /** Ends these sessions (refresh families); `token`, an access token presented with a logout, ends with them. */
  async function endSessions (ids: readonly string[], reason: RevokeReason, token?: { jti: string, exp: number }): Promise<void> {
    for (const id of ids) await revocationStore.revokeSession(id)
    if (token !== undefined) await revocationStore.revokeToken(token.jti, token.exp)
    for (const id of ids) await refreshTokens.revokeFamily(id, reason)
  }

  /**
   * Ends every token and session the user holds now, by a cut-off on their tokens' `iat` (announced before
   * it is recorded, as above); later logins are not affected.
   */
  async function endAllSessions (userId: string, reason: RevokeReason = 'logout-all'): Promise<void> {
    await revocationStore.cutOff(userId, revocations.nextCutoff(userId))
    await refreshTokens.revokeUserFamilies(userId, reason)
  }

  return { endSessions, endAllSessions }
}

export type SessionEnding = ReturnType<typeof createSessionEnding>
