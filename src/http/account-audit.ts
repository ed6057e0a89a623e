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
}

/**
 * Account changes, logged as structured lines with `event` and `outcome` like the login events, so they can
 * be filtered and alerted on. They carry names and ids, never a password: callers pass only the fields
 * above, and pino's redaction would mask a password field anyway.
 */
export function auditAccountChange (log: FastifyBaseLogger, event: string, change: AccountChange, message: string): void {
  log.info({ event, outcome: 'success', ...change }, message)
}

/** A refused change, with the error's code as the reason (a wrong current password is worth an alert). */
export function auditAccountRefusal (log: FastifyBaseLogger, event: string, change: AccountChange, error: unknown): void {
  const reason = error instanceof TollgateError ? error.code : 'error'
  log.warn({ event, outcome: 'failure', reason, ...change }, `${event} refused`)
}
