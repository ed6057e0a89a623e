import type { FastifyBaseLogger } from 'fastify'

/**
 * Authentication events, logged as structured lines with `event` and `outcome` so they can be filtered
 * and alerted on. They name the user and never carry a password or a token.
 */
export function auditLogin (log: FastifyBaseLogger, grant: string, username: string, userId: string | undefined): void {
  if (userId === undefined) {
    log.warn({ event: 'auth.login', outcome: 'failure', grant, username }, 'login failed')
  } else {
    log.info({ event: 'auth.login', outcome: 'success', grant, username, userId }, 'login succeeded')
  }
}
