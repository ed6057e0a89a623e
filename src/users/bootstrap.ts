import { randomBytes } from 'node:crypto'
import type { PasswordHasher } from '../auth/passwords.js'
import { TollgateError } from '../errors.js'
import type { UsersRepository } from './users-repository.js'

export interface BootstrapResult {
  username: string
  /** Set when no password was configured and one was generated: the caller shows it once. */
  generatedPassword?: string
}

/**
 * On a first run the store is empty and nobody could log in: create an admin, from the configured
 * name and password or as `admin` with a random password. Does nothing once any user exists.
 */
export async function bootstrapAdmin (
  users: UsersRepository,
  passwords: PasswordHasher,
  configured: { username?: string | undefined, password?: string | undefined }
): Promise<BootstrapResult | undefined> {
  if (await users.count() > 0) return undefined
  const username = configured.username ?? 'admin'
  const generatedPassword = configured.password === undefined ? randomBytes(12).toString('base64url') : undefined
  const password = configured.password ?? generatedPassword ?? ''
  try {
    await users.create({ username, passwordHash: await passwords.hash(password), roles: ['admin'] })
  } catch (error) {
    // Another process starting on the same empty store made the admin first: nothing is left to do.
    if (error instanceof TollgateError && error.code === 'ERR_USERNAME_TAKEN') return undefined
    throw error
  }
  return { username, ...(generatedPassword === undefined ? {} : { generatedPassword }) }
}
