import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { RefreshResult } from '../auth/sessions.js'
import type { ClientGrantResult } from '../clients/client-credentials.js'
import type { TollgateError } from '../errors.js'

/**
 * Authentication events, logged as structured lines with `event` and `outcome` so they can be filtered
 * and alerted on, and counted in the metrics when they are on. They name the user and never carry a
 * password or a token.
 */
export function auditLogin (request: FastifyRequest, grant: 'login' | 'password', username: string, userId: string | undefined): void {
  if (userId === undefined) {
    request.log.warn({ event: 'auth.login', outcome: 'failure', grant, username }, 'login failed')
    request.server.metrics?.loginFailed(grant)
  } else {
    request.log.info({ event: 'auth.login', outcome: 'success', grant, username, userId }, 'login succeeded')
    request.server.metrics?.tokenIssued(grant)
  }
}

/** A reused refresh token is a likely theft: it is logged as a warning of its own. */
export function auditRefresh (request: FastifyRequest, result: RefreshResult): void {
  const { log } = request
  if (result.ok) {
    log.info({ event: 'auth.refresh', outcome: 'success', userId: result.value.userId }, 'refresh token exchanged')
    request.server.metrics?.tokenIssued('refresh_token')
    return
  }
  if (result.error.reason === 'reused') {
    log.warn({ event: 'auth.refresh.reuse', outcome: 'failure', userId: result.error.subject },
      'a spent refresh token was presented again: its whole session has been revoked')
  } else {
    log.info({ event: 'auth.refresh', outcome: 'failure', reason: result.error.reason, userId: result.error.subject }, 'refresh refused')
  }
  request.server.metrics?.refreshRefused(result.error.reason ?? result.error.code)
}

/** A client's grant, named by the id it claimed; a refusal says why, which its answer never does. */
export function auditClientGrant (request: FastifyRequest, method: string, result: ClientGrantResult): void {
  const log = request.log
  if (result.ok) {
    log.info({ event: 'auth.client', outcome: 'success', clientId: result.value.clientId, method }, 'client token issued')
    request.server.metrics?.tokenIssued('client_credentials')
  } else {
    auditClientRefusal(request, method, result.error)
    request.server.metrics?.loginFailed('client_credentials')
  }
}

/**
 * A client refused at any endpoint it authenticates to (the token endpoint, introspection, revocation, the
 * revocation feed), by the id it claimed and the route: guessing secrets shows wherever it is tried.
 */
export function auditClientRefusal (request: FastifyRequest, method: string | undefined, error: TollgateError): void {
  const { code, reason, subject } = error
  request.log.warn({
    event: 'auth.client',
    outcome: 'failure',
    clientId: subject,
    ...(method === undefined ? {} : { method }),
    endpoint: request.routeOptions.url,
    code,
    ...(reason === undefined ? {} : { reason })
  }, 'client authentication refused')
}

/**
 * Access tokens the CLI printed for a load test: for whom and how many, never the tokens themselves, and
 * the issuer they carry, which a server verifies them against: it must see the same PUBLIC_URL (or
 * JWT_ISSUER), or the same HOST and PORT it is derived from.
 */
export function auditTokensIssued (log: Pick<FastifyBaseLogger, 'info'>, user: { id: string, username: string }, count: number, ttlSeconds: number, issuer: string): void {
  log.info({ event: 'auth.tokens.issued', outcome: 'success', userId: user.id, username: user.username, count, ttlSeconds, issuer },
    `access tokens issued from the command line for issuer ${issuer}`)
}
