import type { FastifyBaseLogger } from 'fastify'
import type { RefreshResult } from '../auth/sessions.js'
import type { ClientGrantResult } from '../clients/client-credentials.js'

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

/** A reused refresh token is a likely theft: it is logged as a warning of its own. */
export function auditRefresh (log: FastifyBaseLogger, result: RefreshResult): void {
  if (result.ok) {
    log.info({ event: 'auth.refresh', outcome: 'success', userId: result.value.userId }, 'refresh token exchanged')
  } else if (result.error.reason === 'reused') {
    log.warn({ event: 'auth.refresh.reuse', outcome: 'failure', userId: result.error.subject },
      'a spent refresh token was presented again: its whole session has been revoked')
  } else {
    log.info({ event: 'auth.refresh', outcome: 'failure', reason: result.error.reason, userId: result.error.subject }, 'refresh refused')
  }
}

/** A client's grant, named by the id it claimed; a refusal says why, which its answer never does. */
export function auditClientGrant (log: FastifyBaseLogger, method: string, result: ClientGrantResult): void {
  if (result.ok) {
    log.info({ event: 'auth.client', outcome: 'success', clientId: result.value.clientId, method }, 'client token issued')
  } else {
    const { code, reason, subject } = result.error
    log.warn({ event: 'auth.client', outcome: 'failure', clientId: subject, method, code, ...(reason === undefined ? {} : { reason }) }, 'client token refused')
  }
}

/** Access tokens the CLI printed for a load test: for whom and how many, never the tokens themselves. */
export function auditTokensIssued (log: Pick<FastifyBaseLogger, 'info'>, user: { id: string, username: string }, count: number, ttlSeconds: number): void {
  log.info({ event: 'auth.tokens.issued', outcome: 'success', userId: user.id, username: user.username, count, ttlSeconds }, 'access tokens issued from the command line')
}
