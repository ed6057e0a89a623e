import { STATUS_CODES } from 'node:http'
import type { FastifyReply } from 'fastify'
import { InsufficientScopeError, InvalidTokenError, TollgateError, type ErrorCode } from '../errors.js'
import { bearerChallenge } from './challenge.js'

/** The realm of every `WWW-Authenticate` challenge unless a plugin is given another. */
export const DEFAULT_REALM = 'tollgate'

export interface ErrorReplyOptions {
  /** Answer RFC 6749 §5.2's `{error, error_description}` beside Fastify's fields (the OAuth endpoints). */
  oauth?: boolean
  realm?: string
  /** RFC 9728 §5.1: the URL of the protected resource's metadata, named in every Bearer challenge. */
  resourceMetadata?: string
}

/** The `WWW-Authenticate` challenge a 401 or 403 carries, if any (RFC 6750 §3, RFC 6749 §5.2). */
function challengeFor (error: TollgateError, realm: string, resourceMetadata: string | undefined): string | undefined {
  const resource = resourceMetadata === undefined ? {} : { resourceMetadata }
  if (error instanceof InvalidTokenError) return bearerChallenge(realm, { error: 'invalid_token', description: error.description, ...resource })
  if (error instanceof InsufficientScopeError) return bearerChallenge(realm, { error: 'insufficient_scope', scope: error.scope, ...resource })
  const code: ErrorCode = error.code
  if (code === 'ERR_TOKEN_MISSING' || code === 'ERR_INVALID_CREDENTIALS') return bearerChallenge(realm, resource)
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

/** An error answer put together: everything `send` needs, none of it depending on the request. */
interface ErrorAnswer {
  statusCode: number
  challenge: string | undefined
  noStore: boolean
  body: string
}

function answerFor (error: TollgateError, { oauth = false, realm = DEFAULT_REALM, resourceMetadata }: ErrorReplyOptions): ErrorAnswer {
  const statusCode = error.statusCode ?? 500
  return { statusCode, challenge: challengeFor(error, realm, resourceMetadata), noStore: oauth, body: JSON.stringify(errorBody(error, statusCode, oauth)) }
}

function send (reply: FastifyReply, { statusCode, challenge, noStore, body }: ErrorAnswer): FastifyReply {
  if (challenge !== undefined) reply.header('www-authenticate', challenge)
  if (noStore) reply.header('cache-control', 'no-store')
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body)
}

/**
 * Sends `error` as the answer: its status, its challenge and its body. Every error answer Tollgate gives
 * goes through here, from the error handler and from the guards alike. Sent already serialized: a route's
 * response schema for the status must not reshape it.
 */
export function sendError (reply: FastifyReply, error: TollgateError, options: ErrorReplyOptions = {}): FastifyReply {
  return send(reply, answerFor(error, options))
}

/**
 * `sendError` with fixed options, for the guards: the answer to each error object is put together once.
 * Their errors are built once too, so a flood of refusals serializes nothing.
 */
export function createErrorSender (options: ErrorReplyOptions): (reply: FastifyReply, error: TollgateError) => FastifyReply {
  const answers = new WeakMap<TollgateError, ErrorAnswer>()
  return function sendPrepared (reply, error) {
    let answer = answers.get(error)
    if (answer === undefined) {
      answer = answerFor(error, options)
      answers.set(error, answer)
    }
    return send(reply, answer)
  }
}
