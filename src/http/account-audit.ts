import type { FastifyBaseLogger } from 'fastify'
import { TollgateError } from '@tollgate/auth/errors'

/** Who did what to whom. `by` is a user id, or `cli:<operating-system user>` for the command line. */
export interface AccountChange {
  by: string
  /** The user the change is about. */
  userId: string
  username?: string
  sessionId?: string
  /** How many sessions the change ended. */
  sessionsEnded?: number
  roles?: string[]
  disabled?: boolean
}

/** A change to a service client, by the same `by`; never its secret. */
export interface ClientChange {
  by: string
  clientId: string
  scopes?: string[]
  permissions?: string[]
  audiences?: string[]
  /** Seconds, or null for ACCESS_TOKEN_TTL. */
  tokenTtl?: number | null
  disabled?: boolean
  /** How the client now authenticates, when the change set it. */
  authentication?: 'client_secret' | 'private_key_jwt' | 'none' | 'workload_federation'
}

/**
 * Account changes, logged as structured lines with `event` and `outcome` like the login events, so they can
 * be filtered and alerted on. They carry names and ids, never a password: callers pass only the fields
 * above, and pino's redaction would mask a password field anyway.
 */
export function auditAccountChange (log: FastifyBaseLogger, event: string, change: AccountChange | ClientChange, message: string): void {
  log.info({ event, outcome: 'success', ...change }, message)
}

/** A refused change, with the error's code as the reason (a wrong current password is worth an alert). */
export function auditAccountRefusal (log: FastifyBaseLogger, event: string, change: AccountChange, error: unknown): void {
  const reason = error instanceof TollgateError ? error.code : 'error'
  log.warn({ event, outcome: 'failure', reason, ...change }, `${event} refused`)
}
