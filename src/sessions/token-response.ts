import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { TokenSubject } from '../tokens/signer.js'
import type { TokenService } from '../tokens/token-service.js'

/** The token response of RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token?: string
  scope?: string
  /** RFC 8693 §2.2.1: what a token exchange issued. */
  issued_token_type?: string
}

/**
 * An access token for `subject` as a token response. Its `iat` respects the subject's cut-off, so a
 * token issued in the same second as "log out everywhere" (or a client's disabling) is not ended by it.
 */
export function issueAccessToken (tokens: TokenService, revocations: RevocationList, subject: TokenSubject): TokenResponse {
  const { token, expiresIn } = tokens.issue(subject, revocations.notBefore(subject.id))
  return {
    access_token: token,
    token_type: 'Bearer',
    expires_in: expiresIn,
    ...(subject.scope === undefined || subject.scope === '' ? {} : { scope: subject.scope })
  }
}
