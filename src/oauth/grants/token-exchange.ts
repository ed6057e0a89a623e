import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'
import { ACCESS_TOKEN_TYPE_URN, type ExchangeResult, type TokenExchange } from '../token-exchange.js'
import type { AuditLine, Grant, TokenParameters } from './grant.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'

const invalid = (message: string): { ok: false, error: TollgateError } => fail(new TollgateError('ERR_INVALID_REQUEST', message))

const asList = (value: string | readonly string[] | undefined): string[] => typeof value === 'string' ? [value] : [...value ?? []]

/** RFC 8693 §2.1: `resource` and `audience` both name where the token goes; Tollgate issues one token for one. */
function targetOf ({ resource, audience }: TokenParameters): Result<string> {
  const targets = [...new Set([...asList(resource), ...asList(audience)])]
  const [target] = targets
  if (target === undefined) return invalid('The token exchange needs resource or audience: the service the token is for')
  if (targets.length > 1) return fail(new TollgateError('ERR_INVALID_TARGET', 'Ask for one resource per token'))
  return ok(target)
}

/**
 * The token exchange grant (RFC 8693): a client holding the permission `token-exchange` trades a live
 * Tollgate access token it was sent for one to the next service, on the same user's behalf.
 */
export function tokenExchangeGrant ({ exchange }: { exchange: Pick<TokenExchange, 'exchange'> }): Grant {
  return {
    type: TOKEN_EXCHANGE_GRANT,
    accept (parameters, { clientProof }) {
      const { subject_token: subjectToken, subject_token_type: subjectType, actor_token: actorToken, actor_token_type: actorType, requested_token_type: requested } = parameters
      if (subjectToken === undefined || subjectType === undefined) return invalid('The token exchange needs subject_token and subject_token_type')
      if (subjectType !== ACCESS_TOKEN_TYPE_URN) return invalid(`Only access tokens can be exchanged: subject_token_type must be ${ACCESS_TOKEN_TYPE_URN}`)
      // RFC 8693 §2.1: actor_token_type is required with an actor token, and absent without one.
      if ((actorToken === undefined) !== (actorType === undefined)) return invalid('actor_token and actor_token_type go together')
      if (actorType !== undefined && actorType !== ACCESS_TOKEN_TYPE_URN) return invalid(`actor_token_type must be ${ACCESS_TOKEN_TYPE_URN}`)
      if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE_URN) return invalid(`Only access tokens are issued: requested_token_type must be ${ACCESS_TOKEN_TYPE_URN}`)
      const target = targetOf(parameters)
      if (!target.ok) return target
      return ok({
        async run () {
          const proof = clientProof()
          if (!proof.ok) return { result: proof, audit: audit({ ok: false, error: proof.error, outcome: { target: target.value } }) }
          const result = await exchange.exchange({ proof: proof.value, subjectToken, actorToken, target: target.value, scope: parameters.scope })
          return { result: result.ok ? ok(result.value.response) : result, audit: audit(result) }
        }
      })
    }
  }
}

/** Names the user, the client acting for them and the service the token is for; a refusal says why. */
function audit (result: ExchangeResult): AuditLine {
  const metric = { name: result.ok ? 'tokenIssued' as const : 'loginFailed' as const, label: 'token_exchange' }
  if (result.ok) {
    const { subject, actor, target } = result.value
    return { level: 'info', message: 'token exchanged', fields: { event: 'auth.exchange', outcome: 'success', subject, actor, target }, metric }
  }
  const { code, reason, subject: clientId } = result.error
  const { subject, actor = clientId, target } = result.outcome
  return {
    level: 'warn',
    message: 'token exchange refused',
    fields: { event: 'auth.exchange', outcome: 'failure', subject, actor, target, code, ...(reason === undefined ? {} : { reason }) },
    metric
  }
}
