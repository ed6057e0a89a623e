import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'
import type { UsersRepository, User } from '../users/users-repository.js'
import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { RefreshTokenStore, SessionClient } from './refresh-tokens.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { SessionEnding } from './session-ending.js'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import type { TokenSubject } from '../tokens/signer.js'
import { issueAccessToken, type TokenResponse } from './token-response.js'
import type { TokenService } from '../tokens/token-service.js'

/** A refresh that worked: the new pair, and whose it is (for the audit log). */
export type RefreshResult = Result<{ response: TokenResponse, userId: string }>

/** Every refused refresh gets one answer; `reason` and `subject` say why and whose, for the audit log only. */
const refused = (reason: 'unknown' | 'expired' | 'revoked' | 'reused' | 'user-unavailable', userId?: string) =>
  fail(new TollgateError('ERR_REFRESH_TOKEN_INVALID', 'The refresh token is invalid, expired or revoked', {
    reason, ...(userId === undefined ? {} : { subject: userId })
  }))

export interface SessionServiceDeps {
  users: UsersRepository
  passwords: PasswordHasher
  tokens: TokenService
  revocations: RevocationList
  refreshTokens: RefreshTokenStore
  ending: SessionEnding
}

/**
 * What happens between a credential check and a token: who may log in, what their tokens carry, and what
 * ends them. Routes and the CLI call this; they only speak HTTP or a terminal.
 */
export function createSessionService (deps: SessionServiceDeps) {
  const { users, passwords, tokens, revocations, refreshTokens, ending } = deps

  /**
   * The user with these credentials, or undefined. An unknown user, a wrong password and a disabled user
   * all cost one argon2 verification and give the same answer, so none can be told from another.
   */
  async function checkCredentials (username: string, password: string): Promise<User | undefined> {
    const found = await users.findByUsername(username)
    const check = await passwords.verify(found?.passwordHash, password)
    if (!check.ok || found === undefined || found.disabled) return undefined
    if (check.value.rehash !== undefined) await users.update(found.id, { passwordHash: check.value.rehash })
    const { passwordHash, ...user } = found
    return user
  }

  const accessToken = (subject: TokenSubject): TokenResponse => issueAccessToken(tokens, revocations, subject)

  /** A login: a new refresh family, and an access token tied to it by `sid`. */
  async function startSession (user: Pick<User, 'id' | 'roles'>, client?: SessionClient): Promise<TokenResponse> {
    const { familyId, token } = await refreshTokens.startFamily(user.id, client)
    return { ...accessToken({ id: user.id, roles: user.roles, sessionId: familyId }), refresh_token: token }
  }

  /** Spends a refresh token for a new pair. A spent token presented again ends its family (reuse). */
  async function refresh (token: string, client?: SessionClient): Promise<RefreshResult> {
    const result = await refreshTokens.rotate(token, client)
    if (result.outcome === 'reused') {
      await ending.endSessions([result.familyId], 'reuse')
      return refused('reused', result.userId)
    }
    if (result.outcome !== 'rotated') return refused(result.outcome)
    // Ended while the database could not record it (a logout during an outage): record it now.
    if (revocations.isSessionRevoked(result.familyId)) {
      await ending.endSessions([result.familyId], 'logout')
      return refused('revoked', result.userId)
    }
    const user = await users.findById(result.userId)
    if (user === undefined || user.disabled) {
      await ending.endSessions([result.familyId], 'user-changed')
      return refused('user-unavailable', result.userId)
    }
    const response = accessToken({ id: user.id, roles: user.roles, sessionId: result.familyId })
    return ok({ userId: user.id, response: { ...response, refresh_token: result.token } })
  }

  /** Logout: this access token and its login's session stop working at once. */
  async function logout (claims: AccessClaims): Promise<void> {
    await ending.endSessions(claims.sid === undefined ? [] : [claims.sid], 'logout', claims)
  }

  return { checkCredentials, startSession, refresh, logout }
}

export type SessionService = ReturnType<typeof createSessionService>
