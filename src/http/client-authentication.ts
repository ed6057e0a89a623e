import { JWT_BEARER_ASSERTION_TYPE } from '../clients/client-assertion.js'
import { JWT_SPIFFE_ASSERTION_TYPE } from '../clients/federated-assertion.js'
import type { ClientProof } from '../clients/client-credentials.js'
import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'

export type ClientAuthentication = Result<ClientProof>

/** The client-authentication members of a token request's body. */
export interface ClientAuthenticationFields {
  client_id?: string | undefined
  client_secret?: string | undefined
  client_assertion?: string | undefined
  client_assertion_type?: string | undefined
}

const SEVERAL = new TollgateError('ERR_INVALID_REQUEST', 'Use one client authentication method: HTTP Basic, client_secret in the body, or a client assertion')
const MALFORMED = new TollgateError('ERR_INVALID_CLIENT', 'The Basic credentials are malformed')
const MISSING = new TollgateError('ERR_INVALID_CLIENT', 'Client authentication is required: HTTP Basic, client_id and client_secret, or a client assertion')
const ASSERTION_TYPE = new TollgateError('ERR_INVALID_CLIENT', `A client assertion needs client_assertion_type=${JWT_BEARER_ASSERTION_TYPE} (or ${JWT_SPIFFE_ASSERTION_TYPE}) and client_assertion`)

/** RFC 6749 Appendix B: the client id and secret are form-encoded before they go into the Basic header. */
function formDecode (value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '))
}

function fromBasic (authorization: string): ClientAuthentication {
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  try {
    if (colon > 0) return ok({ method: 'client_secret_basic', id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) })
  } catch {
    // A malformed percent-escape falls through to the refusal below.
  }
  return fail(MALFORMED)
}

/**
 * How the client proves who it is: HTTP Basic (RFC 6749 §2.3.1, which every server must support),
 * `client_id` and `client_secret` in the body, or a signed assertion (RFC 7523 §2.2, with an optional
 * `client_id`). Using more than one at once is refused, as RFC 6749 §2.3 requires.
 */
export function clientAuthentication (authorization: string | undefined, body: ClientAuthenticationFields): ClientAuthentication {
  const basic = authorization !== undefined && /^basic /i.test(authorization)
  const assertion = body.client_assertion !== undefined || body.client_assertion_type !== undefined
  if (basic && (assertion || body.client_id !== undefined || body.client_secret !== undefined)) return fail(SEVERAL)
  if (assertion && body.client_secret !== undefined) return fail(SEVERAL)
  if (basic) return fromBasic(authorization)
  if (assertion) {
    const spiffe = body.client_assertion_type === JWT_SPIFFE_ASSERTION_TYPE
    if ((!spiffe && body.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) || body.client_assertion === undefined) return fail(ASSERTION_TYPE)
    return ok({
      method: 'private_key_jwt',
      assertion: body.client_assertion,
      ...(body.client_id === undefined ? {} : { id: body.client_id }),
      // A JWT-SVID is a workload's token, never a client's own assertion.
      ...(spiffe ? { spiffe: true as const } : {})
    })
  }
  if (body.client_id === undefined || body.client_secret === undefined) return fail(MISSING)
  return ok({ method: 'client_secret_post', id: body.client_id, secret: body.client_secret })
}
