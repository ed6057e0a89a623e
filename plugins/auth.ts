import fastifyJwt, { type FastifyJWTOptions } from '@fastify/jwt'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { bearerChallenge } from '../src/auth/challenge.js'
import { InvalidTokenError, type AccessClaims } from '../src/auth/tokens.js'
import { errorResponse } from '../src/http/schemas.js'

export interface AuthRequirement {
  /** The user needs at least one of these roles. */
  roles?: string[]
  /** The token needs every one of these scopes. */
  scopes?: string[]
}

export interface AccessTokenVerifier {
  /** Returns the token's claims, or throws InvalidTokenError. */
  verify (token: string): AccessClaims
}

export interface AuthPluginOptions {
  verifier: AccessTokenVerifier
  /** Checked on every request after the signature, cached or not. */
  isRevoked?: (claims: AccessClaims) => boolean
  /** Options for @fastify/jwt, so `request.jwtVerify()` applies the same constraints as `authenticate`. */
  jwt: FastifyJWTOptions
  realm?: string
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

export default fp<AuthPluginOptions>(async function auth (fastify, options) {
  const { verifier, isRevoked } = options
  const realm = options.realm ?? 'tollgate'
  const missingTokenChallenge = bearerChallenge(realm)

  await fastify.register(fastifyJwt, options.jwt)

  function deny (reply: FastifyReply, statusCode: 401 | 403, message: string, challenge: string): void {
    reply.code(statusCode).header('www-authenticate', challenge).send({
      statusCode,
      error: statusCode === 401 ? 'Unauthorized' : 'Forbidden',
      message
    })
  }

  const invalidToken = (reply: FastifyReply, description: string): void =>
    deny(reply, 401, description, bearerChallenge(realm, { error: 'invalid_token', description }))

  // Callback style, not async: this runs on every protected request and a promise per call shows up.
  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers.authorization
    // RFC 7235 §2.1: the scheme name is case-insensitive; RFC 6750 §2.1: exactly one token after it.
    if (header === undefined || header.length <= BEARER.length ||
      !(header.startsWith('Bearer ') || header.slice(0, BEARER.length).toLowerCase() === BEARER) ||
      header.includes(' ', BEARER.length)) {
      return deny(reply, 401, 'An access token is required: send "Authorization: Bearer <token>"', missingTokenChallenge)
    }
    let claims: AccessClaims
    try {
      claims = verifier.verify(header.slice(BEARER.length))
    } catch (error) {
      return invalidToken(reply, error instanceof InvalidTokenError ? error.description : 'The access token is malformed')
    }
    if (isRevoked !== undefined && isRevoked(claims)) return invalidToken(reply, 'The access token has been revoked')
    request.user = claims
    done()
  }

  function authorize ({ roles = [], scopes = [] }: AuthRequirement): onRequestHookHandler {
    const scope = scopes.join(' ')
    const forbidden = bearerChallenge(realm, { error: 'insufficient_scope', scope })
    return function authorizeRequest (request, reply, done) {
      const user = request.user as AccessClaims | null
      if (user === null) return deny(reply, 401, 'An access token is required: send "Authorization: Bearer <token>"', missingTokenChallenge)
      if (roles.length !== 0 && !roles.some((role) => user.roles.includes(role))) {
        return deny(reply, 403, `This action needs one of the roles: ${roles.join(', ')}`, forbidden)
      }
      if (scopes.length !== 0) {
        const granted = user.scope.split(' ')
        if (!scopes.every((needed) => granted.includes(needed))) return deny(reply, 403, `This action needs the scopes: ${scope}`, forbidden)
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
