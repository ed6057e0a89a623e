import { createHash } from 'node:crypto'
import type { ClientCredentials } from '../../clients/client-credentials.js'
import type { ClientDirectory } from '../../clients/client-directory.js'
import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'
import type { SessionEnding } from '../../sessions/session-ending.js'
import type { SessionService } from '../../sessions/sessions.js'
import type { UsersRepository } from '../../users/users-repository.js'
import type { AuthorizationCodes, CodeBinding } from '../authorization-codes.js'
import type { AuditLine, Grant, GrantContext, TokenParameters } from './grant.js'

const MISSING = new TollgateError('ERR_INVALID_REQUEST', 'The authorization_code grant needs code, redirect_uri and code_verifier')
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
const BAD_VERIFIER = new TollgateError('ERR_INVALID_GRANT', 'code_verifier must be 43 to 128 letters, digits or "-._~" (RFC 7636 §4.1)')

/** Every refused code gets one answer (RFC 6749 §5.2 `invalid_grant`); `reason` goes to the audit log. */
const refused = (reason: string, subject?: string) => fail(new TollgateError('ERR_INVALID_GRANT',
  'The authorization code is invalid, expired, spent, or was issued for another client, redirect URI or code verifier',
  { reason, ...(subject === undefined ? {} : { subject }) }))

/** RFC 7636 §4.6: BASE64URL(SHA-256(ASCII(code_verifier))). */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')

export interface AuthorizationCodeGrantDeps {
  sessions: Pick<SessionService, 'startSession'>
  codes: AuthorizationCodes
  users: Pick<UsersRepository, 'findById'>
  ending: Pick<SessionEnding, 'endSessions'>
  directory: Pick<ClientDirectory, 'get'>
  credentials: Pick<ClientCredentials, 'authenticate'>
}

/**
 * The client exchanging a code: a public client by its `client_id` alone (RFC 6749 §2.1; PKCE is what
 * binds the code to it), a confidential one authenticated as at every other grant.
 */
async function exchangingClient ({ client_id: clientId }: TokenParameters, context: GrantContext, deps: AuthorizationCodeGrantDeps): Promise<Result<string>> {
  const proof = context.clientProof()
  if (proof.ok) {
    const authenticated = await deps.credentials.authenticate(proof.value)
    return authenticated.ok ? ok(authenticated.value.id) : authenticated
  }
  const record = clientId === undefined ? undefined : deps.directory.get(clientId)
  if (record?.public === true && !record.disabled) return ok(record.id)
  return proof
}

/**
 * The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636): the code the sign-in page sent
 * to the redirect URI, spent once for a session of the user who signed in. A code presented again is
 * refused and ends the session its first use started (§4.1.2).
 */
export function authorizationCodeGrant (deps: AuthorizationCodeGrantDeps): Grant {
  return {
    type: 'authorization_code',
    accept (parameters, context) {
      const { code, redirect_uri: redirectUri, code_verifier: verifier, resource } = parameters
      if (code === undefined || redirectUri === undefined || verifier === undefined) return fail(MISSING)
      return ok({
        async run () {
          const client = await exchangingClient(parameters, context, deps)
          if (!client.ok) return { result: client, audit: audit(client.error.subject ?? parameters.client_id) }
          const clientId = client.value
          if (!VERIFIER.test(verifier)) return { result: fail(BAD_VERIFIER), audit: audit(clientId, 'malformed code_verifier') }
          const challenge = s256(verifier)
          const matches = (binding: CodeBinding): boolean => binding.clientId === clientId && binding.redirectUri === redirectUri &&
            binding.codeChallenge === challenge && (resource === undefined || resource === binding.resource)
          const redemption = await deps.codes.redeem(code, matches)
          if (redemption.outcome === 'reused') {
            if (redemption.familyId !== undefined) await deps.ending.endSessions([redemption.familyId], 'reuse')
            return { result: refused('reused', redemption.userId), audit: audit(clientId, 'reused', redemption.userId) }
          }
          if (redemption.outcome !== 'redeemed') return { result: refused(redemption.outcome), audit: audit(clientId, redemption.outcome) }
          const { binding, codeHash } = redemption
          const user = await deps.users.findById(binding.userId)
          if (user === undefined || user.disabled) return { result: refused('user-unavailable', binding.userId), audit: audit(clientId, 'user-unavailable', binding.userId) }
          const response = await deps.sessions.startSession(user, context.origin, (sessionId) => deps.codes.recordSession(codeHash, sessionId))
          return { result: ok(response), audit: audit(clientId, undefined, user.id) }
        }
      })
    }
  }
}

/** A reused code is a likely theft (RFC 6749 §10.5): a warning of its own, as a reused refresh token is. */
function audit (clientId: string | undefined, reason?: string, userId?: string): AuditLine {
  const fields = { clientId, ...(userId === undefined ? {} : { userId }) }
  if (reason === undefined) {
    return { level: 'info', message: 'authorization code exchanged', fields: { event: 'auth.code', outcome: 'success', ...fields }, metric: { name: 'tokenIssued', label: 'authorization_code' } }
  }
  return {
    level: 'warn',
    message: reason === 'reused' ? 'a spent authorization code was presented again: the session it started has been ended' : 'authorization code refused',
    fields: { event: reason === 'reused' ? 'auth.code.reuse' : 'auth.code', outcome: 'failure', reason, ...fields },
    metric: { name: 'loginFailed', label: 'authorization_code' }
  }
}
