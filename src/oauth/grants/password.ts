import { fail, ok, TollgateError } from '@tollgate/auth/errors'
import type { SessionService } from '../../sessions/sessions.js'
import type { AuditLine, Grant } from './grant.js'

const MISSING = new TollgateError('ERR_INVALID_REQUEST', 'The password grant needs username and password')
const INVALID_CREDENTIALS = new TollgateError('ERR_INVALID_CREDENTIALS', 'Invalid username or password')

/**
 * The resource owner password credentials grant (RFC 6749 §4.3), also behind `/auth/login`: a new session
 * for the user whose password this is. An unknown user, a wrong password and a disabled account give one
 * answer at one cost.
 */
export function passwordGrant ({ sessions }: { sessions: Pick<SessionService, 'checkCredentials' | 'startSession'> }): Grant {
  return {
    type: 'password',
    accept ({ username, password }, { origin, via }) {
      if (username === undefined || password === undefined) return fail(MISSING)
      return ok({
        username,
        async run () {
          const user = await sessions.checkCredentials(username, password)
          if (user === undefined) return { result: fail(INVALID_CREDENTIALS), audit: audit(via, username, undefined) }
          return { result: ok(await sessions.startSession(user, origin)), audit: audit(via, username, user.id) }
        }
      })
    }
  }
}

function audit (grant: string, username: string, userId: string | undefined): AuditLine {
  return userId === undefined
    ? { level: 'warn', message: 'login failed', fields: { event: 'auth.login', outcome: 'failure', grant, username }, metric: { name: 'loginFailed', label: grant } }
    : { level: 'info', message: 'login succeeded', fields: { event: 'auth.login', outcome: 'success', grant, username, userId }, metric: { name: 'tokenIssued', label: grant } }
}
