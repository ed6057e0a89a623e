import type { FastifyBaseLogger } from 'fastify'

/**
 * Authentication events are logged as structured lines with `event` and `outcome`, so they can be
 * filtered and alerted on; they name the user and never carry a password or a token. A grant's line is
 * described by its module (src/oauth/grants) and written by the token endpoint (token-endpoint.ts).
 */

/**
 * Access tokens the CLI printed for a load test: for whom and how many, never the tokens themselves, and
 * the issuer they carry, which a server verifies them against: it must see the same PUBLIC_URL (or
 * JWT_ISSUER), or the same HOST and PORT it is derived from.
 */
export function auditTokensIssued (log: Pick<FastifyBaseLogger, 'info'>, user: { id: string, username: string }, count: number, ttlSeconds: number, issuer: string): void {
  log.info({ event: 'auth.tokens.issued', outcome: 'success', userId: user.id, username: user.username, count, ttlSeconds, issuer },
    `access tokens issued from the command line for issuer ${issuer}`)
}
