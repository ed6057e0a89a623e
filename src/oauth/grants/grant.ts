import type { ClientProof } from '../../clients/client-credentials.js'
import type { Result } from '@tollgate/auth/errors'
import type { SessionClient } from '../../sessions/refresh-tokens.js'
import type { TokenResponse } from '../../sessions/token-response.js'

/** The members of a token request a grant may read (RFC 6749 §4, RFC 7523 §2.2, RFC 8707, RFC 8693 §2.1). */
export interface TokenParameters {
  grant_type: string
  username?: string | undefined
  password?: string | undefined
  refresh_token?: string | undefined
  scope?: string | undefined
  resource?: string | readonly string[] | undefined
  audience?: string | readonly string[] | undefined
  subject_token?: string | undefined
  subject_token_type?: string | undefined
  actor_token?: string | undefined
  actor_token_type?: string | undefined
  requested_token_type?: string | undefined
}

/**
 * A line of the audit log, and the metric counted with it. Grants describe their outcome; the endpoint
 * that ran them writes it, so every grant is audited the same way.
 */
export interface AuditLine {
  level: 'info' | 'warn'
  message: string
  fields: { event: string, outcome: 'success' | 'failure' } & Record<string, unknown>
  metric: { name: 'tokenIssued' | 'loginFailed' | 'refreshRefused', label: string }
}

export interface GrantOutcome {
  result: Result<TokenResponse>
  audit: AuditLine
}

/** A grant's request, its parameters read and checked, ready to run. */
export interface GrantRun {
  /** A grant that checks a password names the account it is for, so the login throttle can count it. */
  readonly username?: string
  run (): Promise<GrantOutcome>
}

/** What a grant knows of the request besides its parameters. */
export interface GrantContext {
  /** The user agent and address, shown in the session list, never trusted. */
  origin: SessionClient
  /** The endpoint's name for the audit log: `password` at the token endpoint, `login` at `/auth/login`. */
  via: string
  /** How the client proves who it is (RFC 6749 §2.3), read from the request when a grant asks. */
  clientProof: () => Result<ClientProof>
}

/**
 * One grant type of the token endpoint (RFC 6749 §4), one module each. `accept` reads the parameters
 * (an `invalid_request` when one is missing) before anything is counted or checked.
 */
export interface Grant {
  readonly type: string
  accept (parameters: TokenParameters, context: GrantContext): Result<GrantRun>
}
