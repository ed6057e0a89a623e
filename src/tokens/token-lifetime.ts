import { TollgateError } from '@tollgate/auth/errors'
import { ACCESS_TOKEN_TTL_MAX, ACCESS_TOKEN_TTL_MIN } from '@tollgate/auth/tokens/claims'

/** An access-token lifetime chosen by an operator (a client's, the CLI's) has ACCESS_TOKEN_TTL's bounds. */
export function checkTokenTtl (seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < ACCESS_TOKEN_TTL_MIN || seconds > ACCESS_TOKEN_TTL_MAX) {
    throw new TollgateError('ERR_INVALID_ARGUMENT', `the token lifetime must be a whole number of seconds from ${ACCESS_TOKEN_TTL_MIN} to ${ACCESS_TOKEN_TTL_MAX}`)
  }
}
