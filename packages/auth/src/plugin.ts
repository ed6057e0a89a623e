import type { FastifyReply, FastifyRequest, FastifySchema, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { AccessClaims } from './tokens/claims.js'
import { checksClaims, createGuards, requirementOf, type AuthRequirement, type AuthSetting } from './http/bearer-guards.js'
import { createErrorSender, DEFAULT_REALM } from './http/error-reply.js'
import { describeProtectedResource, type ProtectedResource } from './http/protected-resource.js'
import { ErrorSchema, errorResponse } from './http/error-schema.js'
import { discoveryFor, revocationCheck, verifierFor, type AuthPluginOptions } from './plugin-options.js'

const FORBIDDEN = ({ actors = [] }: AuthRequirement): string => actors.length === 0
  ? 'The access token lacks a role or scope this route needs'
  : `The access token lacks a role or scope this route needs, or is not one a token exchange issued to ${actors.join(', ')}`

export type { AuthPluginOptions, RelyingServiceOptions, RevocationFeedOptions } from './plugin-options.js'
export type { AuthRequirement, AuthSetting } from './http/bearer-guards.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies the Bearer token and sets `request.user`; answers 401 with RFC 6750 `WWW-Authenticate` otherwise. */
    authenticate: onRequestHookHandler
    /** A guard answering 403 `insufficient_scope` when `request.user` lacks a role or scope. */
    authorize (requirement: AuthRequirement): onRequestHookHandler
  }
  interface FastifyContextConfig {
    /** `true`: any valid access token; an object: also these roles and scopes, or a delegated token from these actors. */
    auth?: AuthSetting
  }
  interface FastifyRequest {
    /**
     * The verified claims of the access token, on a route with `config.auth` (null elsewhere); `act` names
     * who acts for the user on a token from a token exchange (RFC 8693 §4.1).
     */
    user: AccessClaims
  }
}

/**
 * The guards, for Tollgate's own routes and for any Fastify service trusting Tollgate (`tollgateAuth`).
 * A route opts in with `config.auth`. There is deliberately no `request.jwtVerify()`: the guards are the
 * one check, with retired keys, refused key-source headers and revocations, and nothing weaker sets
 * `request.user`.
 */
export default fp<AuthPluginOptions>(async function auth (fastify, options) {
  const discover = discoveryFor(options)
  const verifier = await verifierFor(fastify, options, discover)
  const revocations = await revocationCheck(fastify, options, discover)
  let resource: ProtectedResource | undefined
  if ('protectedResource' in options && options.protectedResource !== undefined) {
    resource = describeProtectedResource(options.protectedResource, options)
  }
  const send = createErrorSender({ realm: options.realm ?? DEFAULT_REALM, ...(resource === undefined ? {} : { resourceMetadata: resource.url }) })
  const { onReject } = options
  // Every 401 is told to onReject first, with a reason from a fixed set, for the metrics.
  const deny: typeof send = onReject === undefined
    ? send
    : (reply, error) => {
        if (error.statusCode === 401) onReject(error.code === 'ERR_TOKEN_MISSING' ? 'missing' : error.code === 'ERR_TOKEN_REVOKED' ? 'revoked' : error.reason ?? error.code)
        return send(reply, error)
      }
  const { authenticate, authorize, guardFor } = createGuards({ verifier, ...revocations, deny })

  // Decorated up front, so every request object keeps one shape.
  if (!fastify.hasRequestDecorator('user')) fastify.decorateRequest('user', null as unknown as AccessClaims)
  if (fastify.getSchema('Error') === undefined) fastify.addSchema(ErrorSchema)
  fastify.decorate('authenticate', authenticate)
  fastify.decorate('authorize', authorize)

  // The guard runs at request time from the route's own `config.auth`, in a hook of the context this
  // plugin is registered in. Fastify gives such a hook to every route of that context and of every
  // context inside it, declared before or after this plugin: no order leaves a route unguarded. (An
  // `onRoute` hook would see only the routes declared after it.)
  fastify.addHook('onRequest', function guardRoute (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const { config } = request.routeOptions
    if (config.auth === undefined || config.auth === false) return done()
    const guard = guardFor(config.auth, config)
    if (guard === undefined) return done()
    guard.call(this, request, reply, done)
  })

  // The routes it does see get their OpenAPI security requirement and 401/403 answers from their setting,
  // so no route declares them by hand; a setting that is not one is refused here, before the app starts.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const requirement = requirementOf(route.config?.auth, route)
    if (requirement === undefined) return
    // `security` is OpenAPI's (read by @fastify/swagger when the service documents itself), not Fastify's own.
    route.schema = {
      ...route.schema,
      security: [{ bearerAuth: [] }, { oauth2: requirement.scopes ?? [] }],
      response: {
        ...(route.schema?.response as object | undefined),
        401: errorResponse('Missing, malformed, expired, forged or revoked access token'),
        ...(checksClaims(requirement) ? { 403: errorResponse(FORBIDDEN(requirement)) } : {})
      }
    } as FastifySchema
  })

  if (resource !== undefined) {
    const { document } = resource
    fastify.get(resource.path, async () => document)
  }
}, { name: 'auth' })
