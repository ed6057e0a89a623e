import type { PasswordHasher } from '../auth/passwords.js'
import type { SessionService } from '../auth/sessions.js'
import type { UserSessions } from '../auth/user-sessions.js'
import { TollgateError } from '../errors.js'
import { keepAnAdmin } from './last-admin.js'
import { checkNewPassword } from './password-policy.js'
import { checkUsername } from './username-policy.js'
import type { User, UsersRepository } from './users-repository.js'

export interface UserAdministrationDeps {
  users: UsersRepository
  passwords: PasswordHasher
  sessions: SessionService
  userSessions: UserSessions
}

export interface NewUser {
  username: string
  password: string
  roles?: string[]
}

/**
 * Creating and deleting users and setting their passwords, for the admin API, the account routes and the
 * CLI alike: every password set here passes the password policy, and every change ends the tokens it
 * must. Failures are TollgateErrors whose message can be shown as it is.
 */
export function createUserAdministration ({ users, passwords, sessions, userSessions }: UserAdministrationDeps) {
  const found = (user: User | undefined): User => {
    if (user === undefined) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    return user
  }

  const existing = async (userId: string): Promise<User> => found(await users.findById(userId))

  async function create ({ username, password, roles = [] }: NewUser): Promise<User> {
    checkUsername(username)
    await checkNewPassword(password, { username })
    // A taken name (also one a concurrent request took a moment ago) is the repository's ERR_USERNAME_TAKEN.
    return users.create({ username, passwordHash: await passwords.hash(password), roles })
  }

  /** Deletes the user and ends every token they hold; the row goes first, so no new login slips in. */
  async function remove (userId: string): Promise<User> {
    const user = await existing(userId)
    await keepAnAdmin(users, user, { removed: true })
    if (!await users.remove(userId)) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    await sessions.endAllSessions(userId, 'user-deleted')
    return user
  }

  /** Replaces the user's roles, ending the tokens that carry the old ones; never the last admin's `admin`. */
  async function setRoles (userId: string, roles: string[]): Promise<User> {
    await keepAnAdmin(users, await existing(userId), { roles })
    return found(await sessions.setRoles(userId, roles))
  }

  /** Disables (ending their tokens) or enables the user; never the last enabled admin. */
  async function setDisabled (userId: string, disabled: boolean): Promise<User> {
    await keepAnAdmin(users, await existing(userId), { disabled })
    return found(await sessions.setDisabled(userId, disabled))
  }

  /** An administrator's reset: every session of the user ends, since whoever held them may know the old one. */
  async function setPassword (userId: string, password: string): Promise<User> {
    const user = await existing(userId)
    await checkNewPassword(password, { username: user.username })
    await sessions.setPassword(userId, password)
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

  return { create, remove, setRoles, setDisabled, setPassword, changeOwnPassword }
}

export type UserAdministration = ReturnType<typeof createUserAdministration>
