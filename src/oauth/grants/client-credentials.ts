import type { ClientCredentials, ClientGrantResult } from '../../clients/client-credentials.js'
import { ok } from '@tollgate/auth/errors'
import type { AuditLine, Grant } from './grant.js'

/**
 * The client credentials grant (RFC 6749 §4.4): a service authenticates with its secret or a signed
 * assertion (RFC 7523) and gets a token of its own, for the audience it asks for (RFC 8707).
 */
export function clientCredentialsGrant ({ credentials }: { credentials: Pick<ClientCredentials, 'grant'> }): Grant {
  return {
    type: 'client_credentials',
    accept ({ scope, resource }, { clientProof }) {
      return ok({
        async run () {
          const proof = clientProof()
          if (!proof.ok) return { result: proof, audit: audit(undefined, proof) }
          const result = await credentials.grant({ proof: proof.value, scope, resource })
          return { result: result.ok ? ok(result.value.response) : result, audit: audit(result.ok ? result.value.method : proof.value.method, result) }
        }
      })
    }
  }
}

/** A client's grant, named by the id it claimed; a refusal says why, which its answer never does. */
function audit (method: string | undefined, result: ClientGrantResult): AuditLine {
  if (result.ok) {
    return { level: 'info', message: 'client token issued', fields: { event: 'auth.client', outcome: 'success', clientId: result.value.clientId, method }, metric: { name: 'tokenIssued', label: 'client_credentials' } }
  }
  const { code, reason, subject } = result.error
  return {
    level: 'warn',
    message: 'client token refused',
    fields: { event: 'auth.client', outcome: 'failure', clientId: subject, method, code, ...(reason === undefined ? {} : { reason }) },
    metric: { name: 'loginFailed', label: 'client_credentials' }
  }
}
