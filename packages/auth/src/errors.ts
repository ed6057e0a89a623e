/**
 * Tollgate's one error model. Every failure thrown in `src/` is a `TollgateError` whose `code` comes from
 * `ERRORS` below: a stable name a client or an operator can branch on, as jose's `ERR_JWT_EXPIRED` or
 * fast-jwt's `TokenError.codes`. Codes with an HTTP status are what API answers carry in `code`; the rest
 * stop the server or the CLI with a one-line message. This module imports nothing, so every other one can
 * stand on it.
 */

/** An RFC 6749 §5.2 / RFC 7009 / RFC 8707 error name, for the OAuth endpoints' `error` member. */
export type OAuthErrorName =
  | 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type'
  | 'invalid_scope' | 'invalid_target' | 'unsupported_token_type'

interface ErrorKind {
  /** The HTTP status an answer with this code has; absent for failures that never reach HTTP. */
  status?: number
  /** The OAuth error name the OAuth endpoints answer with. */
  oauth?: OAuthErrorName
}

/** Every code, with its status. Adding one here adds it to the OpenAPI `Error` schema and the README. */
export const ERRORS = {
  // Access tokens (RFC 6750 §3.1)
  ERR_TOKEN_MISSING: { status: 401 },
  ERR_TOKEN_INVALID: { status: 401 },
  ERR_TOKEN_EXPIRED: { status: 401 },
  ERR_TOKEN_REVOKED: { status: 401 },
  ERR_INSUFFICIENT_SCOPE: { status: 403 },
  // Credentials and sessions
  ERR_INVALID_CREDENTIALS: { status: 401, oauth: 'invalid_grant' },
  ERR_REFRESH_TOKEN_INVALID: { status: 401, oauth: 'invalid_grant' },
  ERR_TOO_MANY_ATTEMPTS: { status: 429 },
  // OAuth endpoints (RFC 6749 §5.2)
  ERR_INVALID_REQUEST: { status: 400, oauth: 'invalid_request' },
  ERR_INVALID_CLIENT: { status: 401, oauth: 'invalid_client' },
  ERR_INVALID_GRANT: { status: 400, oauth: 'invalid_grant' },
  ERR_INVALID_SCOPE: { status: 400, oauth: 'invalid_scope' },
  ERR_UNSUPPORTED_GRANT_TYPE: { status: 400, oauth: 'unsupported_grant_type' },
  ERR_UNAUTHORIZED_CLIENT: { status: 400, oauth: 'unauthorized_client' },
  ERR_FORBIDDEN: { status: 403 },
  ERR_INVALID_TARGET: { status: 400, oauth: 'invalid_target' },
  // Requests and resources
  ERR_VALIDATION: { status: 400, oauth: 'invalid_request' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, oauth: 'invalid_request' },
  ERR_BODY_TOO_LARGE: { status: 413, oauth: 'invalid_request' },
  ERR_NOT_FOUND: { status: 404 },
  ERR_USER_NOT_FOUND: { status: 404 },
  ERR_USERNAME_TAKEN: { status: 409 },
  ERR_SESSION_NOT_FOUND: { status: 404 },
  ERR_PASSWORD_REJECTED: { status: 400 },
  ERR_CURRENT_PASSWORD_WRONG: { status: 400 },
  // The server's side
  ERR_STORE_UNAVAILABLE: { status: 503 },
  ERR_REVOCATIONS_UNAVAILABLE: { status: 503 },
  ERR_INTERNAL: { status: 500 },
  // Never an HTTP answer: configuration, keys, the CLI's arguments and records
  ERR_CONFIG: {},
  ERR_KEY: {},
  ERR_KEY_SET_UNAVAILABLE: {},
  ERR_INVALID_ARGUMENT: {},
  ERR_USAGE: {},
  ERR_CANCELLED: {},
  ERR_CLIENT_NOT_FOUND: {},
  ERR_CLIENT_EXISTS: {}
} as const satisfies Record<string, ErrorKind>

export type ErrorCode = keyof typeof ERRORS

/** The codes an HTTP answer can carry: the enum of the OpenAPI `Error` schema. */
export const HTTP_ERROR_CODES = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => 'status' in ERRORS[code])

export interface TollgateErrorOptions {
  cause?: unknown
  /** A finer reason for logs and metrics (fast-jwt's code for a refused token, say); never sent. */
  reason?: string
  /** Whom the failure concerns (a user or client id), for the audit log; never sent. */
  subject?: string
}

export class TollgateError extends Error {
  readonly code: ErrorCode
  /** Read by Fastify's error handling; undefined for codes that never reach HTTP. */
  readonly statusCode: number | undefined
  readonly reason: string | undefined
  readonly subject: string | undefined

  constructor (code: ErrorCode, message: string, options: TollgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TollgateError'
    this.code = code
    const kind: ErrorKind = ERRORS[code]
    this.statusCode = kind.status
    this.reason = options.reason
    this.subject = options.subject
  }

  /** The OAuth error name for this failure on an OAuth endpoint; none for throttling or an outage. */
  get oauthError (): OAuthErrorName | undefined {
    const kind: ErrorKind = ERRORS[this.code]
    return kind.oauth
  }
}

/** A configuration problem, named by the variable at fault. The message never contains a value. */
export class ConfigError extends TollgateError {
  constructor (readonly variable: string, reason: string) {
    super('ERR_CONFIG', `${variable} ${reason}`)
    this.name = 'ConfigError'
  }
}

/** A refused access token. `description` is safe to send in a `WWW-Authenticate` header. */
export class InvalidTokenError extends TollgateError {
  constructor (code: 'ERR_TOKEN_INVALID' | 'ERR_TOKEN_EXPIRED' | 'ERR_TOKEN_REVOKED', readonly description: string, reason: string) {
    super(code, description, { reason })
    this.name = 'InvalidTokenError'
  }
}

/** The one shape of an expected outcome: a value, or the error saying why not. */
export type Result<T, E extends TollgateError = TollgateError> = { ok: true, value: T } | { ok: false, error: E }

export const ok = <T>(value: T): { ok: true, value: T } => ({ ok: true, value })
export const fail = <E extends TollgateError>(error: E): { ok: false, error: E } => ({ ok: false, error })

/** A valid token without a role or scope the route needs (RFC 6750 §3.1 `insufficient_scope`). */
export class InsufficientScopeError extends TollgateError {
  /** The scopes the route needs, for the challenge's `scope` parameter (RFC 6750 §3). */
  constructor (message: string, readonly scope: string) {
    super('ERR_INSUFFICIENT_SCOPE', message)
    this.name = 'InsufficientScopeError'
  }
}
