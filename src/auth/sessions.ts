import type { UsersRepository, User } from '../users/users-repository.js'
import type { PasswordHasher } from './passwords.js'
import { cutoffNow, type RevocationList } from './revocation-list.js'
import type { RevocationStore } from './revocation-store.js'
import type { TokenService } from './tokens.js'

/** The token response of RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token?: string
  scope?: string
}

export interface SessionServiceDeps {
  users: UsersRepository
  passwords: PasswordHasher
  tokens: TokenService
  revocations: RevocationList
  revocationStore: RevocationStore
}

/**
 * What happens between a credential check and a token: who may log in, what their tokens carry, and what
 * ends them. Routes and the CLI call this; they only speak HTTP or a terminal.
 */
export function createSessionService ({ users, passwords, tokens, revocations, revocationStore }: SessionServiceDeps) {
  /**
   * The user with these credentials, or undefined. An unknown user, a wrong password and a disabled user
   * all cost one argon2 verification and give the same answer, so none can be told from another.
   */
  async function checkCredentials (username: string, password: string): Promise<User | undefined> {
    const found = await users.findByUsername(username)
    const check = await passwords.verify(found?.passwordHash, password)
    if (!check.ok || found === undefined || found.disabled) return undefined
    if (check.rehash !== undefined) await users.update(found.id, { passwordHash: check.rehash })
    const { passwordHash, ...user } = found
    return user
  }

  function issueAccessToken (user: Pick<User, 'id' | 'roles'>, scope?: string): TokenResponse {
    const { token, expiresIn } = tokens.issue({ id: user.id, roles: user.roles, scope }, revocations.notBefore(user.id))
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...(scope === undefined || scope === '' ? {} : { scope })
    }
  }

  /** Ends every token the user holds now; tokens issued later are not affected. */
  async function endAllSessions (userId: string): Promise<void> {
    await revocationStore.cutOff(userId, cutoffNow())
  }

  /** Role changes end current tokens, so no token goes on carrying roles its user no longer has. */
  async function setRoles (userId: string, roles: string[]): Promise<User | undefined> {
    const user = await users.update(userId, { roles })
    if (user !== undefined) await endAllSessions(userId)
    return user
  }

  async function setDisabled (userId: string, disabled: boolean): Promise<User | undefined> {
    const user = await users.update(userId, { disabled })
    if (user !== undefined && disabled) await endAllSessions(userId)
    return user
  }

  return { checkCredentials, issueAccessToken, endAllSessions, setRoles, setDisabled }
}

export type SessionService = ReturnType<typeof createSessionService>
