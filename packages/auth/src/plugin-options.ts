import type { FastifyInstance } from 'fastify'
import { MIN_SECRET_BYTES, type AccessClaims, type AsymmetricAlgorithm } from './tokens/claims.js'
import { discoverIssuer, type IssuerMetadata } from './tokens/issuer-discovery.js'
import { loadPublicKey } from './tokens/keys.js'
import { ALGORITHMS, createRemoteKeySet, type RemoteKeySetOptions } from './tokens/remote-key-set.js'
import { createRevocationFollower, isCredentialRefusal } from './revocations/revocation-follower.js'
import { RevocationList } from './revocations/revocation-list.js'
import { createAccessTokenVerifier, signatureCheck, type TokenVerifier, type VerifyConstraints } from './tokens/verifier.js'
import { TollgateError } from './errors.js'
import type { ProtectedResourceOptions } from './http/protected-resource.js'

/** A relying service following Tollgate's revocation feed, as a client with the `revocations` permission. */
export interface RevocationFeedOptions {
  clientId: string
  clientSecret: string
  /** Default: the issuer metadata's `revocation_feed_endpoint`. */
  feedUrl?: string
  /** Refuse every token (503) once the feed has been out of reach this long (ms); default: never, keep what is held. */
  failClosedAfterMs?: number
}

interface CommonOptions {
  /** Asked after the signature on every request, whether the token was verified before or not. */
  isRevoked?: (claims: AccessClaims) => boolean
  /** The `realm` of every `WWW-Authenticate` challenge (default `tollgate`). */
  realm?: string
  /**
   * Told why each request was refused with 401, to count it: `missing` (no Bearer token), `revoked`,
   * or the verification error's `reason` code. Never given the token.
   */
  onReject?: (reason: string) => void
}

/** What a service trusting Tollgate says besides where the keys are. */
type RelyingOptions = CommonOptions & VerifyConstraints & {
  /** Follow the issuer's revocation feed: a logout on Tollgate is refused here within moments. */
  revocations?: RevocationFeedOptions
  /** RFC 9728: serve `/.well-known/oauth-protected-resource…` and name it in every challenge (§5.1). */
  protectedResource?: ProtectedResourceOptions
}

type RemoteKeys = Omit<RemoteKeySetOptions, 'onError' | 'onKeysRemoved'>

/**
 * Tollgate passes its own verifier. Another Fastify service passes where to find Tollgate's keys — its
 * JWKS URL, one PEM public key, (HS256 only) the shared secret, or nothing but a URL issuer, whose
 * metadata names the key set — and what `iss`/`aud` to require.
 */
export type AuthPluginOptions =
  | (CommonOptions & { verifier: TokenVerifier })
  | (RelyingOptions & RemoteKeys)
  | (RelyingOptions & { publicKey: string | Buffer, algorithm: AsymmetricAlgorithm })
  /** Whoever holds the secret can sign tokens too: only for services as trusted as Tollgate itself. */
  | (RelyingOptions & { secret: string | Buffer, algorithm: 'HS256' })
  /** Just the issuer (a URL) and audience: the key set is found from the issuer's metadata (RFC 8414). */
  | (RelyingOptions & Partial<RemoteKeys>)

export type RelyingServiceOptions = Exclude<AuthPluginOptions, { verifier: TokenVerifier }>

/** The issuer's metadata, read once and only when the options leave something to find there. */
export function discoveryFor (options: AuthPluginOptions): () => Promise<IssuerMetadata> {
  let found: Promise<IssuerMetadata> | undefined
  return async () => (found ??= discoverIssuer('issuer' in options ? options.issuer : ''))
}

/** The verifier the options describe; for a remote key set, fetched once before the app starts serving. */
export async function verifierFor (fastify: FastifyInstance, options: AuthPluginOptions, discover: () => Promise<IssuerMetadata>): Promise<TokenVerifier> {
  if ('verifier' in options) return options.verifier
  if ('publicKey' in options) {
    const check = signatureCheck(options.algorithm, loadPublicKey(options.algorithm, options.publicKey).pem, options)
    return createAccessTokenVerifier(options, () => check)
  }
  if ('secret' in options) {
    if ((options.algorithm as string) !== 'HS256') throw new TypeError(`a secret verifies HS256 tokens only, not ${options.algorithm as string}`)
    if (Buffer.byteLength(options.secret) < MIN_SECRET_BYTES) throw new TypeError(`the HS256 secret must be at least ${MIN_SECRET_BYTES} bytes long`)
    const check = signatureCheck('HS256', options.secret, options)
    return createAccessTokenVerifier(options, () => check)
  }
  const jwksUrl = 'jwksUrl' in options && options.jwksUrl !== undefined ? options.jwksUrl : (await discover()).jwks_uri
  const keySet = createRemoteKeySet({
    ...options,
    jwksUrl,
    onError: (error) => { fastify.log.warn({ err: error }, `could not fetch the key set at ${jwksUrl}; serving with the keys already held`) },
    onKeysRemoved: () => { verifier.forgetVerified() }
  }, options)
  const verifier = createAccessTokenVerifier(options, keySet.resolve)
  // Nothing is held yet to fall back on: a service that starts without keys would refuse every token.
  await keySet.load()
  if (keySet.kids().length === 0) {
    const algorithms = (options.algorithms ?? ALGORITHMS).join(', ')
    throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `${jwksUrl} publishes no ${algorithms} key to verify with (an issuer signing with HS256 publishes none): ` +
      'pass { secret, algorithm: \'HS256\' } with its secret, or have it sign with RS256, ES256 or EdDSA (JWT_ALGORITHM)')
  }
  // Fetched again now and then even when no new kid appears, so a key the issuer drops stops verifying here.
  const timer = setInterval(() => keySet.refresh(), options.maxAgeMs ?? 10 * 60_000).unref()
  fastify.addHook('onClose', async () => { clearInterval(timer) })
  return verifier
}

export interface RevocationCheck {
  isRevoked?: ((claims: AccessClaims) => boolean) | undefined
  /** True while revocations cannot be trusted (the feed out of reach longer than allowed): refuse all. */
  isStale?: (() => boolean) | undefined
}

/**
 * Whether a verified token has been revoked: the options' own check, or the issuer's revocation feed
 * followed into a list of this service's own, waiting a moment for its snapshot before the app serves.
 */
export async function revocationCheck (fastify: FastifyInstance, options: AuthPluginOptions, discover: () => Promise<IssuerMetadata>): Promise<RevocationCheck> {
  const feed = 'revocations' in options ? options.revocations : undefined
  if (feed === undefined) return { isRevoked: options.isRevoked }
  for (const name of ['clientId', 'clientSecret'] as const) {
    if (typeof feed[name] !== 'string' || feed[name] === '') throw new TypeError(`revocations.${name} is missing: the feed needs a client with the revocations permission`)
  }
  const feedUrl = feed.feedUrl ?? (await discover()).revocation_feed_endpoint
  if (feedUrl === undefined) throw new TollgateError('ERR_CONFIG', 'revocations: the issuer\'s metadata names no revocation_feed_endpoint: pass feedUrl')
  const list = new RevocationList()
  const follower = createRevocationFollower(list, {
    ...feed,
    feedUrl,
    onDisconnect: (error) => {
      // Refused credentials need someone to fix them: not the network's doing, and no reconnection mends it.
      if (isCredentialRefusal(error)) fastify.log.error({ err: error }, `${error.message}; keeping the revocations held and retrying`)
      else fastify.log.warn({ err: error }, `lost the revocation feed at ${feedUrl}; keeping the revocations held and reconnecting`)
    },
    onReconnect: () => { fastify.log.info(`following the revocation feed at ${feedUrl} again`) }
  })
  fastify.addHook('onClose', async () => { follower.stop() })
  // Refused credentials at start stop the service: retrying would only hide a wrong secret or permission.
  const synced = await follower.ready().catch((error: unknown) => {
    follower.stop()
    throw error
  })
  if (!synced) fastify.log.warn(`no snapshot from the revocation feed at ${feedUrl} yet; serving, and it keeps trying`)
  return { isRevoked: options.isRevoked ?? list.isRevoked, isStale: follower.isStale }
}
