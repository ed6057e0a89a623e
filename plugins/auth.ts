import fastifyJwt, { type FastifyJWTOptions } from '@fastify/jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { AccessClaims, AsymmetricAlgorithm } from '../src/auth/claims.js'
import { discoverIssuer, type IssuerMetadata } from '../src/auth/issuer-discovery.js'
import { loadPublicKey } from '../src/auth/keys.js'
import { createRevocationFollower } from '../src/auth/revocation-follower.js'
import { RevocationList } from '../src/auth/revocation-list.js'
import { createRemoteKeySet, type RemoteKeySetOptions } from '../src/auth/remote-key-set.js'
import { createAccessTokenVerifier, signatureCheck, type TokenVerifier, type VerifyConstraints } from '../src/auth/verifier.js'
import { InsufficientScopeError, InvalidTokenError, TollgateError } from '../src/errors.js'
import { DEFAULT_REALM, sendError } from '../src/http/error-reply.js'
import { ErrorSchema, errorResponse } from '../src/http/schemas.js'

export interface AuthRequirement {
  /** The user needs at least one of these roles. */
  roles?: string[]
  /** The token needs every one of these scopes. */
  scopes?: string[]
}

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
  /** Checked on every request after the signature, cached or not. */
  isRevoked?: (claims: AccessClaims) => boolean
  /** Follow the issuer's revocation feed: a logout on Tollgate is refused here within moments. */
  revocations?: RevocationFeedOptions
  /** The `realm` of every `WWW-Authenticate` challenge (default `tollgate`). */
  realm?: string
  /**
   * Told why each request was refused with 401, to count it: `missing` (no Bearer token), `revoked`,
   * or the verification error's `reason` code. Never given the token.
   */
  onReject?: (reason: string) => void
}

/**
 * Tollgate passes its own verifier and @fastify/jwt options. Another Fastify service passes where to
 * find Tollgate's public keys (its JWKS URL, or one PEM public key) and what `iss`/`aud` to require.
 */
export type AuthPluginOptions = CommonOptions & (
  | {
    verifier: TokenVerifier
    /** Options for @fastify/jwt, so `request.jwtVerify()` applies the same constraints as `authenticate`. */
    jwt?: FastifyJWTOptions
  }
  | (VerifyConstraints & Omit<RemoteKeySetOptions, 'onError' | 'onKeysRemoved'>)
  | (VerifyConstraints & { publicKey: string | Buffer, algorithm: AsymmetricAlgorithm })
  /** Just the issuer (a URL) and audience: the key set is found from the issuer's metadata (RFC 8414). */
  | (VerifyConstraints & Partial<Omit<RemoteKeySetOptions, 'onError' | 'onKeysRemoved' | 'jwksUrl'>>)
)

/** The issuer's metadata, read once and only when the options leave something to find there. */
function discoveryFor (options: AuthPluginOptions): () => Promise<IssuerMetadata> {
  let found: Promise<IssuerMetadata> | undefined
  return async () => (found ??= discoverIssuer('issuer' in options ? options.issuer : ''))
}

/** The verifier the options describe; for a remote key set, fetched once before the app starts serving. */
async function verifierFor (fastify: FastifyInstance, options: AuthPluginOptions, discover: () => Promise<IssuerMetadata>): Promise<TokenVerifier> {
  if ('verifier' in options) return options.verifier
  if ('publicKey' in options) {
    const check = signatureCheck(options.algorithm, loadPublicKey(options.algorithm, options.publicKey).pem, options)
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
  await keySet.refresh()
  // Fetched again now and then even when no new kid appears, so a key the issuer drops stops verifying here.
  const timer = setInterval(() => keySet.refresh(), options.maxAgeMs ?? 10 * 60_000).unref()
  fastify.addHook('onClose', async () => { clearInterval(timer) })
  return verifier
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies the Bearer token and sets `request.user`; answers 401 with RFC 6750 `WWW-Authenticate` otherwise. */
    authenticate: onRequestHookHandler
    /** A guard answering 403 `insufficient_scope` when `request.user` lacks a role or scope. */
    authorize (requirement: AuthRequirement): onRequestHookHandler
  }
  interface FastifyContextConfig {
    /** `true`: any valid access token; an object: also these roles and scopes. */
    auth?: boolean | AuthRequirement
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims
    user: AccessClaims
  }
}

const BEARER = 'bearer '

// Built once: none depends on the request.
const TOKEN_MISSING = new TollgateError('ERR_TOKEN_MISSING', 'An access token is required: send "Authorization: Bearer <token>"')
const TOKEN_REVOKED = new InvalidTokenError('ERR_TOKEN_REVOKED', 'The access token has been revoked', 'revoked')
const TOKEN_MALFORMED = new InvalidTokenError('ERR_TOKEN_INVALID', 'The access token is malformed', 'malformed')

const FEED_UNAVAILABLE = new TollgateError('ERR_REVOCATIONS_UNAVAILABLE', 'Revocations cannot be checked right now: try again shortly')

/**
 * Follows the issuer's revocation feed into a list of this service's own, waiting a moment for its
 * snapshot before the app serves. Undefined when the options ask for none.
 */
async function followerFor (fastify: FastifyInstance, options: AuthPluginOptions, discover: () => Promise<IssuerMetadata>) {
  const feed = options.revocations
  if (feed === undefined) return undefined
  const feedUrl = feed.feedUrl ?? (await discover()).revocation_feed_endpoint
  if (feedUrl === undefined) throw new TollgateError('ERR_CONFIG', 'revocations: the issuer\'s metadata names no revocation_feed_endpoint: pass feedUrl')
  const list = new RevocationList()
  const follower = createRevocationFollower(list, {
    ...feed,
    feedUrl,
    onDisconnect: (error) => { fastify.log.warn({ err: error }, `lost the revocation feed at ${feedUrl}; keeping the revocations held and reconnecting`) },
    onReconnect: () => { fastify.log.info(`following the revocation feed at ${feedUrl} again`) }
  })
  fastify.addHook('onClose', async () => { follower.stop() })
  if (!await follower.ready()) fastify.log.warn(`no snapshot from the revocation feed at ${feedUrl} yet; serving, and it keeps trying`)
  return { isRevoked: list.isRevoked, isStale: follower.isStale }
}

export default fp<AuthPluginOptions>(async function auth (fastify, options) {
  const discover = discoveryFor(options)
  const verifier = await verifierFor(fastify, options, discover)
  const follower = await followerFor(fastify, options, discover)
  const isRevoked = options.isRevoked ?? follower?.isRevoked
  const { onReject } = options
  const replyOptions = { realm: options.realm ?? DEFAULT_REALM }

  if ('jwt' in options && options.jwt !== undefined) await fastify.register(fastifyJwt, options.jwt)
  // Decorated up front, as @fastify/jwt does, so every request object keeps one shape.
  else if (!fastify.hasRequestDecorator('user')) fastify.decorateRequest('user', null as unknown as AccessClaims)
  if (fastify.getSchema('Error') === undefined) fastify.addSchema(ErrorSchema)

  // Sent from here rather than thrown: a refusal is as frequent as a success under a flood of bad tokens.
  const deny = (reply: FastifyReply, error: TollgateError): void => { sendError(reply, error, replyOptions) }

  /** A 401 from the guard, told to `onReject` with its reason first. */
  function reject (reply: FastifyReply, error: TollgateError, reason: string): void {
    onReject?.(reason)
    deny(reply, error)
  }

  // Callback style, not async: this runs on every protected request and a promise per call shows up.
  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers.authorization
    // RFC 7235 §2.1: the scheme name is case-insensitive; RFC 6750 §2.1: exactly one token after it.
    if (header === undefined || header.length <= BEARER.length ||
      !(header.startsWith('Bearer ') || header.slice(0, BEARER.length).toLowerCase() === BEARER) ||
      header.includes(' ', BEARER.length)) {
      return reject(reply, TOKEN_MISSING, 'missing')
    }
    let claims: AccessClaims | Promise<AccessClaims>
    try {
      claims = verifier.verify(header.slice(BEARER.length), request.raw.socket)
    } catch (error) {
      return refuse(reply, error)
    }
    if (claims instanceof Promise) {
      // Outside Fastify's own try/catch here: a throwing isRevoked must still reach the error handler.
      claims.then((resolved) => { accept(request, reply, done, resolved) }, (error: unknown) => { refuse(reply, error) })
        .catch(done)
    } else {
      accept(request, reply, done, claims)
    }
  }

  function accept (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction, claims: AccessClaims): void {
    if (follower !== undefined && follower.isStale()) return deny(reply, FEED_UNAVAILABLE)
    if (isRevoked !== undefined && isRevoked(claims)) return reject(reply, TOKEN_REVOKED, 'revoked')
    request.user = claims
    done()
  }

  function refuse (reply: FastifyReply, error: unknown): void {
    const refusal = error instanceof InvalidTokenError ? error : TOKEN_MALFORMED
    reject(reply, refusal, refusal.reason ?? refusal.code)
  }

  function authorize ({ roles = [], scopes = [] }: AuthRequirement): onRequestHookHandler {
    const scope = scopes.join(' ')
    const missingRole = new InsufficientScopeError(`This action needs one of the roles: ${roles.join(', ')}`, scope)
    const missingScope = new InsufficientScopeError(`This action needs the scopes: ${scope}`, scope)
    return function authorizeRequest (request, reply, done) {
      const user = request.user as AccessClaims | null
      if (user === null) return reject(reply, TOKEN_MISSING, 'missing')
      if (roles.length !== 0 && !roles.some((role) => user.roles.includes(role))) return deny(reply, missingRole)
      if (scopes.length !== 0) {
        const granted = user.scope.split(' ')
        if (!scopes.every((needed) => granted.includes(needed))) return deny(reply, missingScope)
      }
      done()
    }
  }

  fastify.decorate('authenticate', authenticate)
  fastify.decorate('authorize', authorize)

  // Routes opt in with `config.auth`; the guards, the OpenAPI security requirement and the documented
  // 401/403 answers all follow from it, so no route declares them by hand.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const setting = route.config?.auth
    if (setting === undefined || setting === false) return
    const requirement = setting === true ? {} : setting
    const checksClaims = (requirement.roles?.length ?? 0) + (requirement.scopes?.length ?? 0) > 0
    const guards = checksClaims ? [authenticate, authorize(requirement)] : [authenticate]
    route.onRequest = [...guards, ...toArray(route.onRequest)]
    route.schema = {
      ...route.schema,
      security: [{ bearerAuth: [] }, { oauth2: requirement.scopes ?? [] }],
      response: {
        ...(route.schema?.response as object | undefined),
        401: errorResponse('Missing, malformed, expired, forged or revoked access token'),
        ...(checksClaims ? { 403: errorResponse('The access token lacks a role or scope this route needs') } : {})
      }
    }
  })
}, { name: 'auth' })

function toArray<T> (value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}
