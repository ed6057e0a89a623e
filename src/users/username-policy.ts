import { TollgateError } from '@tollgate/auth/errors'
import { fitsUsernameColumns, usernameTooLong } from './users-repository.js'

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * What a new username may be, for the admin API and the CLI alike: not empty, within the store's
 * limit (also once case-folded), and nothing that would make it look like another name in a list.
 */
export function checkUsername (username: string): void {
  const refuse = (message: string): never => { throw new TollgateError('ERR_VALIDATION', message) }
  if (username === '') refuse('the username must not be empty')
  if (!fitsUsernameColumns(username)) throw usernameTooLong()
  if (CONTROL.test(username) || username.trim() !== username) {
    refuse('the username must not contain control characters or start or end with a space')
  }
}
