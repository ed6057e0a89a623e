import { randomBytes } from 'node:crypto'
import type { PasswordHasher } from '../passwords/password-hasher.js'
import { ConfigError, TollgateError } from '@tollgate/auth/errors'
import { checkNewPassword } from '../passwords/password-policy.js'
import { checkUsername } from '../users/username-policy.js'
import type { UsersRepository } from '../users/users-repository.js'

export interface BootstrapResult {
  username: string
  /** Set when no password was configured and one was generated: the caller shows it once. */
  generatedPassword?: string
}

/** A configured value the policy refuses stops the start, naming the variable (never its value). */
async function asConfig (variable: string, check: () => void | Promise<void>): Promise<void> {
  try {
    await check()
  } catch (error) {
    if (error instanceof TollgateError) throw new ConfigError(variable, `is refused: ${error.message}`)
    throw error
  }
}

/**
 * On a first run the store is empty and nobody could log in: create an admin, from the configured
 * name and password or as `admin` with a random password. Does nothing once any user exists. A
 * configured password must pass the password policy like any other; a generated one (96 random bits)
 * is not on any list of common passwords.
 */
export async function bootstrapAdmin (
  users: UsersRepository,
  passwords: PasswordHasher,
  configured: { username?: string | undefined, password?: string | undefined }
): Promise<BootstrapResult | undefined> {
  if (await users.count() > 0) return undefined
  const username = configured.username ?? 'admin'
  await asConfig('TOLLGATE_ADMIN_USERNAME', () => { checkUsername(username) })
  if (configured.password !== undefined) {
    const password = configured.password
    await asConfig('TOLLGATE_ADMIN_PASSWORD', () => checkNewPassword(password, { username }))
  }
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
