import { fail, ok, TollgateError, type Result } from '../errors.js'

export type ClientAuthentication = Result<{ id: string, secret: string, method: 'basic' | 'body' }>

const BOTH = new TollgateError('ERR_INVALID_REQUEST', 'Send client credentials in the Authorization header or in the body, not both')
const MALFORMED = new TollgateError('ERR_INVALID_CLIENT', 'The Basic credentials are malformed')
const MISSING = new TollgateError('ERR_INVALID_CLIENT', 'Client authentication is required: HTTP Basic, or client_id and client_secret')

/** RFC 6749 Appendix B: the client id and secret are form-encoded before they go into the Basic header. */
function formDecode (value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '))
}

/**
 * The client's credentials, from HTTP Basic (RFC 6749 §2.3.1, which every server must support) or from
 * `client_id`/`client_secret` in the body. Using both at once is refused, as §2.3 requires.
 */
export function clientAuthentication (authorization: string | undefined, body: { client_id?: string, client_secret?: string }): ClientAuthentication {
  const inBody = body.client_id !== undefined || body.client_secret !== undefined
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    if (inBody) return fail(BOTH)
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    try {
      if (colon > 0) return ok({ id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), method: 'basic' })
    } catch {
      // A malformed percent-escape falls through to the refusal below.
    }
    return fail(MALFORMED)
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    return fail(MISSING)
  }
  return ok({ id: body.client_id, secret: body.client_secret, method: 'body' })
}
