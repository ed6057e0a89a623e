import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { SessionService } from '../sessions/sessions.js'
import type { SessionEnding } from '../sessions/session-ending.js'
import type { UserSessions } from '../sessions/user-sessions.js'
import { TollgateError } from '@tollgate/auth/errors'
import { checkNewPassword } from '../passwords/password-policy.js'
import { checkUsername } from '../users/username-policy.js'
import type { User, UsersRepository } from '../users/users-repository.js'

export interface AccountsDeps {
  users: UsersRepository
  passwords: PasswordHasher
  sessions: Pick<SessionService, 'checkCredentials'>
  userSessions: Pick<UserSessions, 'endOthers'>
  ending: Pick<SessionEnding, 'endAllSessions'>
}

export interface NewUser {
  username: string
  password: string
  roles?: string[]
}

/**
 * A user's account — creating and deleting it, its password, roles and whether it is enabled — for the
 * admin API, the account routes and the CLI alike: every password set here passes the password policy, and
 * every change ends the tokens it must. Failures are TollgateErrors whose message can be shown as it is.
 */
export function createAccounts ({ users, passwords, sessions, userSessions, ending }: AccountsDeps) {
  async function existing (userId: string): Promise<User> {
    const user = await users.findById(userId)
    if (user === undefined) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    return user
  }

  async function create ({ username, password, roles = [] }: NewUser): Promise<User> {
    checkUsername(username)
    await checkNewPassword(password, { username })
    // A taken name (also one a concurrent request took a moment ago) is the repository's ERR_USERNAME_TAKEN.
    return users.create({ username, passwordHash: await passwords.hash(password), roles })
  }

  /** Deletes the user and ends every token they hold; the row goes first, so no new login slips in. */
  async function remove (userId: string): Promise<User> {
    const user = await existing(userId)
    if (!await users.remove(userId)) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    await ending.endAllSessions(userId, 'user-deleted')
    return user
  }

  /** An administrator's reset: every session of the user ends, since whoever held them may know the old one. */
  async function setPassword (userId: string, password: string): Promise<User> {
    const user = await existing(userId)
    await checkNewPassword(password, { username: user.username })
    await users.update(userId, { passwordHash: await passwords.hash(password) })
    await ending.endAllSessions(userId, 'user-changed')
    return user
  }

  /** Role changes end current sessions, so no token goes on carrying roles its user no longer has. */
  async function setRoles (userId: string, roles: string[]): Promise<User | undefined> {
    const user = await users.update(userId, { roles })
    if (user !== undefined) await ending.endAllSessions(userId, 'user-changed')
    return user
  }

  async function setDisabled (userId: string, disabled: boolean): Promise<User | undefined> {
    const user = await users.update(userId, { disabled })
    if (user !== undefined && disabled) await ending.endAllSessions(userId, 'user-changed')
    return user
  }

  /**
   * A user's own change, proven with the current password: every other session ends, the one it is made
   * in (`sessionId`) goes on. Returns how many sessions ended.
   */
  async function changeOwnPassword (userId: string, sessionId: string | undefined, current: string, next: string): Promise<number> {
    const user = await existing(userId)
    // The login check itself: the same cost whether the password is right or not, and rehashing as it does.
    if (await sessions.checkCredentials(user.username, current) === undefined) {
      throw new TollgateError('ERR_CURRENT_PASSWORD_WRONG', 'The current password is wrong')
    }
    if (next === current) throw new TollgateError('ERR_PASSWORD_REJECTED', 'the new password must differ from the current one')
    await checkNewPassword(next, { username: user.username, label: 'the new password' })
    await users.update(userId, { passwordHash: await passwords.hash(next) })
    return userSessions.endOthers(userId, sessionId, 'password-changed')
  }

  return { create, remove, setPassword, setRoles, setDisabled, changeOwnPassword }
}

export type Accounts = ReturnType<typeof createAccounts>
