import { TollgateError } from '@tollgate/auth/errors'
import type { User, UsersRepository } from '../users/users-repository.js'

const ADMIN = 'admin'

/** What a change leaves of a user: gone, or with these roles, or disabled. */
export type UserChange = { removed: true } | { roles: readonly string[] } | { disabled: boolean }

const administers = (user: Pick<User, 'roles' | 'disabled'>): boolean => !user.disabled && user.roles.includes(ADMIN)

function after (user: User, change: UserChange): Pick<User, 'roles' | 'disabled'> | undefined {
  if ('removed' in change) return undefined
  if ('roles' in change) return { ...user, roles: [...change.roles] }
  return { ...user, disabled: change.disabled }
}

/**
 * Refuses a change that would leave no enabled admin: deleting, demoting or disabling the last one,
 * themselves included, would leave nobody to administer users except from the CLI with the database at
 * hand. (Two admins demoting each other at the same moment can still both succeed: the check reads, then
 * the change writes; the CLI then restores an admin.)
 */
export async function keepAnAdmin (users: Pick<UsersRepository, 'list'>, user: User, change: UserChange): Promise<void> {
  const next = after(user, change)
  if (!administers(user) || (next !== undefined && administers(next))) return
  const others = (await users.list()).filter((other) => other.id !== user.id && administers(other))
  if (others.length === 0) {
    throw new TollgateError('ERR_LAST_ADMIN', `${user.username} is the only enabled admin: make another user an admin first`, { subject: user.id })
  }
}
