import { TollgateError } from '@tollgate/auth/errors'
import { createBreachedPasswords } from './breached-passwords.js'
import { usernameKey } from '../users/users-repository.js'

/**
 * OWASP ASVS V2.1 and NIST SP 800-63B §5.1.1.2 for every password Tollgate sets (API, CLI, first admin):
 * at least 8 characters, up to 128 so passphrases fit, no composition rules (they push people towards
 * `Password1!`), and none of the passwords most often found in breaches. Characters are Unicode code
 * points, as NIST counts them, so a passphrase in any script is measured fairly.
 */
export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 128

// One list per process, whatever the number of apps built in it: the tests build hundreds.
const isBreached = createBreachedPasswords({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })

export interface PasswordContext {
  /** The account's name: a password equal to it is the first one guessed. */
  username?: string
  /** How messages name the password, e.g. `the new password`. */
  label?: string
}

/** Throws `ERR_PASSWORD_REJECTED` with a message saying why, or returns when the password may be set. */
export async function checkNewPassword (password: string, { username, label = 'the password' }: PasswordContext = {}): Promise<void> {
  const length = [...password].length
  const refuse = (reason: string): never => { throw new TollgateError('ERR_PASSWORD_REJECTED', `${label} ${reason}`) }
  if (length < MIN_PASSWORD_LENGTH) refuse(`must be at least ${MIN_PASSWORD_LENGTH} characters long`)
  if (length > MAX_PASSWORD_LENGTH) refuse(`must be at most ${MAX_PASSWORD_LENGTH} characters long`)
  if (username !== undefined && usernameKey(password) === usernameKey(username)) refuse('must not be the username')
  if (await isBreached(password)) refuse('is one of the most common passwords found in data breaches: choose another, a few unrelated words make a good one')
}
