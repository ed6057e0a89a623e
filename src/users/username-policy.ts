import { TollgateError } from '@tollgate/auth/errors'
import { fitsUsernameColumns, usernameTooLong } from './users-repository.js'

/**
 * Control and format characters, and the line and paragraph separators: C0, DEL, C1 (U+0085 among them),
 * bidirectional overrides such as U+202E, zero-width ones such as U+200B. Each makes a name print as
 * another, or not at all.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u

/**
 * What a new username may be, for the admin API and the CLI alike: not empty, within the store's
 * limit (also once case-folded), and nothing that would make it look like another name in a list.
 */
export function checkUsername (username: string): void {
  const refuse = (message: string): never => { throw new TollgateError('ERR_VALIDATION', message) }
  if (username === '') refuse('the username must not be empty')
  if (!fitsUsernameColumns(username)) throw usernameTooLong()
  if (INVISIBLE.test(username) || username.trim() !== username) {
    refuse('the username must not contain control or format characters or start or end with a space')
  }
}
