import { fail, ok, TollgateError } from '@tollgate/auth/errors'
import type { RefreshResult, SessionService } from '../../sessions/sessions.js'
import type { AuditLine, Grant } from './grant.js'

const MISSING = new TollgateError('ERR_INVALID_REQUEST', 'The refresh_token grant needs refresh_token')

/**
 * The refresh token grant (RFC 6749 §6), also behind `/auth/refresh`: the token is spent for a new pair,
 * and a spent one presented again ends its whole session (reuse detection).
 */
export function refreshTokenGrant ({ sessions }: { sessions: Pick<SessionService, 'refresh'> }): Grant {
  return {
    type: 'refresh_token',
    accept ({ refresh_token: token }, { origin }) {
      if (token === undefined) return fail(MISSING)
      return ok({
        async run () {
          const result = await sessions.refresh(token, origin)
          return { result: result.ok ? ok(result.value.response) : result, audit: audit(result) }
        }
      })
    }
  }
}

/** A reused refresh token is a likely theft: it is logged as a warning of its own. */
function audit (result: RefreshResult): AuditLine {
  if (result.ok) {
    return { level: 'info', message: 'refresh token exchanged', fields: { event: 'auth.refresh', outcome: 'success', userId: result.value.userId }, metric: { name: 'tokenIssued', label: 'refresh_token' } }
  }
  const { reason, subject, code } = result.error
  const metric = { name: 'refreshRefused' as const, label: reason ?? code }
  return reason === 'reused'
    ? { level: 'warn', message: 'a spent refresh token was presented again: its whole session has been revoked', fields: { event: 'auth.refresh.reuse', outcome: 'failure', userId: subject }, metric }
    : { level: 'info', message: 'refresh refused', fields: { event: 'auth.refresh', outcome: 'failure', reason, userId: subject }, metric }
}
