import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'

const ONE_RESOURCE = new TollgateError('ERR_INVALID_TARGET', 'Ask for one resource per token')

/**
 * The `aud` of a client's token (RFC 8707 §2): the configured audience when no `resource` is asked for,
 * else the one asked for, which must be the configured audience or one of the client's own.
 */
export function audienceFor (allowed: readonly string[], resource: string | readonly string[] | undefined, defaultAudience: string): Result<string> {
  const asked = [...new Set(typeof resource === 'string' ? [resource] : resource ?? [])]
  const [wanted] = asked
  if (wanted === undefined) return ok(defaultAudience)
  if (asked.length > 1) return fail(ONE_RESOURCE)
  if (wanted === defaultAudience || allowed.includes(wanted)) return ok(wanted)
  return fail(new TollgateError('ERR_INVALID_TARGET', `The client may not have tokens for the resource ${JSON.stringify(wanted.slice(0, 200))}`))
}
