import { STATUS_CODES } from 'node:http'
import type { FastifyReply } from 'fastify'
import { InsufficientScopeError, InvalidTokenError, TollgateError, type ErrorCode } from '../errors.js'
import { bearerChallenge } from '../auth/challenge.js'

/** The realm of every `WWW-Authenticate` challenge unless a plugin is given another. */
export const DEFAULT_REALM = 'tollgate'

export interface ErrorReplyOptions {
  /** Answer RFC 6749 §5.2's `{error, error_description}` beside Fastify's fields (the OAuth endpoints). */
  oauth?: boolean
  realm?: string
}

/** The `WWW-Authenticate` challenge a 401 or 403 carries, if any (RFC 6750 §3, RFC 6749 §5.2). */
function challengeFor (error: TollgateError, realm: string): string | undefined {
  if (error instanceof InvalidTokenError) return bearerChallenge(realm, { error: 'invalid_token', description: error.description })
  if (error instanceof InsufficientScopeError) return bearerChallenge(realm, { error: 'insufficient_scope', scope: error.scope })
  const code: ErrorCode = error.code
  if (code === 'ERR_TOKEN_MISSING' || code === 'ERR_INVALID_CREDENTIALS') return bearerChallenge(realm)
  if (code === 'ERR_INVALID_CLIENT') return `Basic realm="${realm}"`
  return undefined
}

/** The body of an error answer: Fastify's shape with `code`, and on the OAuth endpoints RFC 6749's too. */
export function errorBody (error: TollgateError, statusCode: number, oauth = false): Record<string, unknown> {
  const body = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: error.message, code: error.code }
  const name = oauth ? error.oauthError : undefined
  // RFC 6749's `error` is the error's name; it takes the place of Fastify's status text.
  return name === undefined ? body : { ...body, error: name, error_description: error.message }
}

/**
 * Sends `error` as the answer: its status, its challenge and its body. Every error answer Tollgate gives
 * goes through here, from the error handler and from the guards alike. Sent already serialized: a route's
 * response schema for the status must not reshape it.
 */
export function sendError (reply: FastifyReply, error: TollgateError, { oauth = false, realm = DEFAULT_REALM }: ErrorReplyOptions = {}): FastifyReply {
  const statusCode = error.statusCode ?? 500
  const challenge = challengeFor(error, realm)
  if (challenge !== undefined) reply.header('www-authenticate', challenge)
  if (oauth) reply.header('cache-control', 'no-store')
  return reply.code(statusCode).type('application/json; charset=utf-8').send(JSON.stringify(errorBody(error, statusCode, oauth)))
}
