import { TollgateError } from '@tollgate/auth/errors'
import type { User } from '../users/users-repository.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { checkTokenTtl } from '../tokens/token-lifetime.js'
import type { TokenService } from '../tokens/token-service.js'

/** More than a load test needs, few enough to print in seconds. */
export const MAX_BULK_TOKENS = 100_000

/**
 * `count` access tokens for one user, each with its own `jti`, without a login each: for load-test
 * harnesses. They carry no session, so they end with the user's cut-off (a password change, a disabling)
 * or at their `exp`, like any token of the user.
 */
export function issueTokensFor (tokens: TokenService, revocations: RevocationList, user: Pick<User, 'id' | 'roles' | 'disabled'>,
  { count, ttlSeconds }: { count: number, ttlSeconds?: number | undefined }): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BULK_TOKENS) {
    throw new TollgateError('ERR_INVALID_ARGUMENT', `the count must be a whole number from 1 to ${MAX_BULK_TOKENS}`)
  }
  if (ttlSeconds !== undefined) checkTokenTtl(ttlSeconds)
  if (user.disabled) throw new TollgateError('ERR_INVALID_ARGUMENT', 'the user is disabled: their tokens would be refused')
  const notBefore = revocations.notBefore(user.id)
  const subject = { id: user.id, roles: user.roles, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) }
  return Array.from({ length: count }, () => tokens.issue(subject, notBefore).token)
}
