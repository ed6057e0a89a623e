export type ClientAuthentication =
  | { id: string, secret: string, method: 'basic' | 'body' }
  | { error: 'invalid_request' | 'invalid_client', description: string }

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
    if (inBody) return { error: 'invalid_request', description: 'Send client credentials in the Authorization header or in the body, not both' }
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    try {
      if (colon > 0) return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), method: 'basic' }
    } catch {
      // A malformed percent-escape falls through to the refusal below.
    }
    return { error: 'invalid_client', description: 'The Basic credentials are malformed' }
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    return { error: 'invalid_client', description: 'Client authentication is required: HTTP Basic, or client_id and client_secret' }
  }
  return { id: body.client_id, secret: body.client_secret, method: 'body' }
}
