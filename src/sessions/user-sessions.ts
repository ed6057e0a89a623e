import type { LiveSession, RefreshTokenStore, RevokeReason } from './refresh-tokens.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { SessionEnding } from './session-ending.js'

export interface UserSessionsDeps {
  refreshTokens: RefreshTokenStore
  revocations: RevocationList
  ending: SessionEnding
}

/**
 * The sessions a person can see and end one by one: each is a login's refresh family, and its id is the
 * `sid` of the access tokens it issued. Ending one refuses those tokens at once on every instance (the
 * revocation store publishes it) and its refresh token for good.
 */
export function createUserSessions ({ refreshTokens, revocations, ending }: UserSessionsDeps) {
  // One ended while the database could not record it is already refused: it is not shown as live.
  const live = (sessions: LiveSession[]): LiveSession[] => sessions.filter((session) => !revocations.isSessionRevoked(session.id))

  async function list (userId: string): Promise<LiveSession[]> {
    return live(await refreshTokens.liveSessions({ userId }))
  }

  /**
   * Ends the live session with this id; with `ownerId`, only if it is that user's, so nobody learns
   * whether another user's session exists. Returns the session ended, or undefined.
   */
  async function end (sessionId: string, ownerId?: string): Promise<LiveSession | undefined> {
    const [session] = live(await refreshTokens.liveSessions({ familyId: sessionId }))
    if (session === undefined || (ownerId !== undefined && session.userId !== ownerId)) return undefined
    await ending.endSessions([session.id], 'ended')
    return session
  }

  /** Ends every session of the user but `keep` (the one a password change is made in); returns how many. */
  async function endOthers (userId: string, keep: string | undefined, reason: RevokeReason): Promise<number> {
    const ended = (await list(userId)).map((session) => session.id).filter((id) => id !== keep)
    await ending.endSessions(ended, reason)
    return ended.length
  }

  return { list, end, endOthers }
}

export type UserSessions = ReturnType<typeof createUserSessions>
