import { randomUUID } from 'node:crypto'
import { createCompactSigner } from './compact-jws.js'
import { ACCESS_TOKEN_TYPE, type AccessClaims, type Actor, type SigningAlgorithm } from '@tollgate/auth/tokens/claims'

export interface TokenSubject {
  id: string
  roles: readonly string[]
  scope?: string
  sessionId?: string
  clientId?: string
  /** RFC 8693 §4.1: the actor chain of a token issued by a token exchange. */
  actor?: Actor
  /** The token's `aud` when not the configured audience: a resource a client asked for (RFC 8707). */
  audience?: string
  /** The token's lifetime when not the configured one: a client's own, or the CLI's. */
  ttlSeconds?: number
  /** The latest `exp` it may have (epoch seconds): an exchanged token never outlives the one it replaces. */
  notAfter?: number
}

export interface IssuedToken {
  token: string
  claims: AccessClaims
  /** Seconds until the token expires, for the token response's `expires_in`. */
  expiresIn: number
}

export interface SignerOptions {
  algorithm: SigningAlgorithm
  /** The HMAC secret, or the private key as PEM. */
  key: string
  /** The key's RFC 7638 thumbprint, put in the header (asymmetric keys only). */
  kid?: string
  issuer: string
  audience: string
  ttlSeconds: number
}

/** fast-jwt's signer options for access tokens. */
export function signerOptions ({ algorithm, kid, issuer, audience }: Omit<SignerOptions, 'key' | 'ttlSeconds'>) {
  return {
    algorithm,
    iss: issuer,
    aud: audience,
    header: { alg: algorithm, typ: ACCESS_TOKEN_TYPE },
    ...(kid === undefined ? {} : { kid })
  }
}

/** Signs access tokens with one key. */
export function createAccessTokenSigner (options: SignerOptions) {
  const { issuer, audience, ttlSeconds } = options
  const { header } = signerOptions(options)
  const sign = createCompactSigner(options.algorithm, options.key, options.kid === undefined ? header : { ...header, kid: options.kid })

  /**
   * Signs an access token for `subject`. `notBefore` (epoch seconds) raises `iat` and `nbf` to a per-user
   * cut-off that lies in the current second, so a token issued right after "log out everywhere" is valid.
   */
  function issue (subject: TokenSubject, notBefore = 0): IssuedToken {
    const now = Math.max(Math.floor(Date.now() / 1000), notBefore)
    const lifetime = Math.min(subject.ttlSeconds ?? ttlSeconds, (subject.notAfter ?? Infinity) - now)
    const claims = {
      iss: issuer,
      sub: subject.id,
      aud: subject.audience ?? audience,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      jti: randomUUID(),
      roles: [...subject.roles],
      scope: subject.scope ?? '',
      ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }),
      ...(subject.clientId === undefined ? {} : { client_id: subject.clientId }),
      ...(subject.actor === undefined ? {} : { act: subject.actor })
    }
    const token: string = sign(claims)
    return { token, claims, expiresIn: lifetime }
  }

  return { issue }
}

export type AccessTokenSigner = ReturnType<typeof createAccessTokenSigner>
