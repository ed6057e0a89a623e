import { fail, ok, TollgateError, type Result } from '../errors.js'
import type { UsersRepository, User } from '../users/users-repository.js'
import type { PasswordHasher } from './passwords.js'
import type { RefreshTokenStore, RevokeReason, SessionClient } from './refresh-tokens.js'
import type { RevocationList } from './revocation-list.js'
import type { RevocationStore } from './revocation-store.js'
import type { AccessClaims } from './claims.js'
import type { TokenSubject } from './signer.js'
import { issueAccessToken, type TokenResponse } from './token-response.js'
import type { TokenService } from './tokens.js'

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
  revocationStore: RevocationStore
  refreshTokens: RefreshTokenStore
}

/**
 * What happens between a credential check and a token: who may log in, what their tokens carry, and what
 * ends them. Routes and the CLI call this; they only speak HTTP or a terminal.
 */
export function createSessionService (deps: SessionServiceDeps) {
  const { users, passwords, tokens, revocations, revocationStore, refreshTokens } = deps

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
      await revocationStore.revokeSession(result.familyId)
      return refused('reused', result.userId)
    }
    if (result.outcome !== 'rotated') return refused(result.outcome)
    // Ended while the database could not record it (a logout during an outage): record it now.
    if (revocations.isSessionRevoked(result.familyId)) {
      await refreshTokens.revokeFamily(result.familyId, 'logout')
      return refused('revoked', result.userId)
    }
    const user = await users.findById(result.userId)
    if (user === undefined || user.disabled) {
      await endSession(result.familyId, 'user-changed')
      return refused('user-unavailable', result.userId)
    }
    const response = accessToken({ id: user.id, roles: user.roles, sessionId: result.familyId })
    return ok({ userId: user.id, response: { ...response, refresh_token: result.token } })
  }

  async function endSession (familyId: string, reason: RevokeReason): Promise<void> {
    await revocationStore.revokeSession(familyId)
    await refreshTokens.revokeFamily(familyId, reason)
  }

  /** Logout: this access token and its login's refresh family stop working at once. */
  async function logout (claims: AccessClaims): Promise<void> {
    // Memory and Redis first, the database last: with the database down the logout answers 503, but
    // the token and its session are already refused everywhere, and refresh checks the session too.
    if (claims.sid !== undefined) await revocationStore.revokeSession(claims.sid)
    await revocationStore.revokeToken(claims.jti, claims.exp)
    if (claims.sid !== undefined) await refreshTokens.revokeFamily(claims.sid, 'logout')
  }

  /** Ends every token and refresh family the user holds now; later logins are not affected. */
  async function endAllSessions (userId: string, reason: RevokeReason = 'logout-all'): Promise<void> {
    await revocationStore.cutOff(userId, revocations.nextCutoff(userId))
    await refreshTokens.revokeUserFamilies(userId, reason)
  }

  /** Role changes end current sessions, so no token goes on carrying roles its user no longer has. */
  async function setRoles (userId: string, roles: string[]): Promise<User | undefined> {
    const user = await users.update(userId, { roles })
    if (user !== undefined) await endAllSessions(userId, 'user-changed')
    return user
  }

  async function setDisabled (userId: string, disabled: boolean): Promise<User | undefined> {
    const user = await users.update(userId, { disabled })
    if (user !== undefined && disabled) await endAllSessions(userId, 'user-changed')
    return user
  }

  async function setPassword (userId: string, password: string): Promise<User | undefined> {
    const user = await users.update(userId, { passwordHash: await passwords.hash(password) })
    if (user !== undefined) await endAllSessions(userId, 'user-changed')
    return user
  }

  return { checkCredentials, startSession, refresh, endSession, logout, endAllSessions, setRoles, setDisabled, setPassword }
}

export type SessionService = ReturnType<typeof createSessionService>
