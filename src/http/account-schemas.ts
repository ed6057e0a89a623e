import { Type } from '@sinclair/typebox'
import type { LiveSession } from '../sessions/refresh-tokens.js'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../passwords/password-policy.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'

/**
 * A password being set. The schema only caps the size, far above the policy's limit, so that a password
 * the policy refuses (too short, too long, too common) gets the policy's own message rather than a
 * validator's, the same one the CLI gives.
 */
export const NewPassword = Type.String({
  maxLength: 1024,
  description: `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, any you like; one of the passwords most often found in data breaches is refused`
})

export const SessionSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The `sid` claim of the access tokens this session issued' }),
  created_at: Type.String({ format: 'date-time', description: 'When the login happened' }),
  last_used_at: Type.String({ format: 'date-time', description: 'When it last logged in or exchanged a refresh token' }),
  user_agent: Type.Union([Type.String(), Type.Null()], { description: 'The User-Agent of that last use' }),
  address: Type.Union([Type.String(), Type.Null()], { description: 'The client address of that last use' }),
  current: Type.Boolean({ description: 'Whether this is the session of the access token making the request' })
}, { $id: 'Session', title: 'Session' })

/** A path `:id`: sessions and users are both named by UUIDs. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/** The schema of a route that ends one session: the user's own route and the admin's differ only in whose. */
export const endSessionSchema = (tag: string, whose: string, notFound: string) => ({
  tags: [tag],
  summary: `End ${whose}: its access tokens are refused at once on every instance, its refresh token for good`,
  params: IdParams,
  response: {
    204: Type.Null({ description: 'Ended' }),
    404: errorResponse(`\`ERR_SESSION_NOT_FOUND\`: ${notFound}`)
  }
})

const iso = (epochMs: number): string => new Date(epochMs).toISOString()

export function presentSession (session: LiveSession, currentSessionId: string | undefined) {
  return {
    id: session.id,
    created_at: iso(session.createdAt),
    last_used_at: iso(session.lastUsedAt),
    user_agent: session.userAgent,
    address: session.address,
    current: session.id === currentSessionId
  }
}
