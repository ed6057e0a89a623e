import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify'
import type { AccessClaims } from '../tokens/claims.js'
import type { TokenVerifier, Verdict } from '../tokens/verifier.js'
import { InsufficientScopeError, InvalidTokenError, TollgateError } from '../errors.js'

export interface AuthRequirement {
  /** The user needs at least one of these roles. */
  roles?: string[]
  /** The token needs every one of these scopes. */
  scopes?: string[]
  /**
   * Only tokens a token exchange issued (RFC 8693) whose current actor, the outermost `act.sub`, is one of
   * these clients. A token with no actor, the user's own or a client's, is refused too: such a route is
   * for calls made on a user's behalf through these services, never directly.
   */
  actors?: string[]
}

/** A route's `config.auth`: `true` for any valid access token, an object for roles, scopes and actors as well. */
export type AuthSetting = boolean | AuthRequirement

export interface GuardOptions {
  verifier: TokenVerifier
  /** Asked after the signature on every request, whether the token was verified before or not. */
  isRevoked?: ((claims: AccessClaims) => boolean) | undefined
  /** True while revocations cannot be trusted: every token is then refused with a 503. */
  isStale?: (() => boolean) | undefined
  /** Answers the request with this error (it is never thrown: refusals can come in floods). */
  deny: (reply: FastifyReply, error: TollgateError) => unknown
}

const BEARER = 'bearer '

// Built once: none depends on the request.
const TOKEN_MISSING = new TollgateError('ERR_TOKEN_MISSING', 'An access token is required: send "Authorization: Bearer <token>"')
const TOKEN_REVOKED = new InvalidTokenError('ERR_TOKEN_REVOKED', 'The access token has been revoked', 'revoked')
const REVOCATIONS_UNAVAILABLE = new TollgateError('ERR_REVOCATIONS_UNAVAILABLE', 'Revocations cannot be checked right now: try again shortly')

const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string')

/** A route as its options or its config name it: enough to say which one a mistake is in. */
export interface RouteName {
  method?: string | string[] | undefined
  url?: string | undefined
}

const nameOf = ({ method, url }: RouteName): string => `${Array.isArray(method) ? method.join(',') : method ?? '?'} ${url ?? '?'}`

/**
 * What a `config.auth` value asks for: undefined for a public route. Anything but `true`, `false` or
 * `{ roles?, scopes? }` (string arrays) is refused, naming the route, so a typo can never leave it open.
 */
export function requirementOf (setting: unknown, route: RouteName): AuthRequirement | undefined {
  if (setting === undefined || setting === false) return undefined
  if (setting === true) return {}
  if (typeof setting === 'object' && setting !== null && !Array.isArray(setting)) {
    const { roles, scopes, actors, ...unknown } = setting as Record<string, unknown>
    const fits = Object.keys(unknown).length === 0 && [roles, scopes, actors].every((list) => list === undefined || isStringArray(list))
    if (fits) return setting as AuthRequirement
  }
  throw new TypeError(`${nameOf(route)}: config.auth must be true, false or { roles?: string[], scopes?: string[], actors?: string[] }, not ${JSON.stringify(setting)}`)
}

/** Whether a requirement checks anything in the claims beyond a valid token. */
export const checksClaims = ({ roles = [], scopes = [], actors = [] }: AuthRequirement): boolean =>
  roles.length + scopes.length + actors.length > 0

/** The guards: `authenticate`, `authorize(requirement)`, and the one a route's `config.auth` asks for. */
export function createGuards ({ verifier, isRevoked, isStale, deny }: GuardOptions) {
  // Callback style, not async: this runs on every protected request and a promise per call shows up.
  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers.authorization
    // RFC 7235 §2.1: the scheme name is case-insensitive; RFC 6750 §2.1: exactly one token after it.
    if (header === undefined || header.length <= BEARER.length ||
      !(header.startsWith('Bearer ') || header.slice(0, BEARER.length).toLowerCase() === BEARER) ||
      header.includes(' ', BEARER.length)) {
      deny(reply, TOKEN_MISSING)
      return
    }
    const verdict = verifier.judge(header.slice(BEARER.length), request.raw.socket)
    if (verdict instanceof Promise) {
      // Outside Fastify's own try/catch here: a throwing isRevoked must still reach the error handler.
      verdict.then((settled) => { settle(request, reply, done, settled) }).catch(done)
    } else {
      settle(request, reply, done, verdict)
    }
  }

  function settle (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction, verdict: Verdict): void {
    if (verdict instanceof InvalidTokenError) deny(reply, verdict)
    else if (isStale !== undefined && isStale()) deny(reply, REVOCATIONS_UNAVAILABLE)
    else if (isRevoked !== undefined && isRevoked(verdict)) deny(reply, TOKEN_REVOKED)
    else {
      request.user = verdict
      done()
    }
  }

  function authorize ({ roles = [], scopes = [], actors = [] }: AuthRequirement): onRequestHookHandler {
    const scope = scopes.join(' ')
    const missingRole = new InsufficientScopeError(`This action needs one of the roles: ${roles.join(', ')}`, scope)
    const missingScope = new InsufficientScopeError(`This action needs the scopes: ${scope}`, scope)
    const otherActor = new TollgateError('ERR_FORBIDDEN', `This action takes only calls made on a user's behalf through: ${actors.join(', ')}`)
    return function authorizeRequest (request, reply, done) {
      const user = request.user as AccessClaims | null
      if (user === null) return deny(reply, TOKEN_MISSING)
      if (actors.length !== 0 && (user.act === undefined || !actors.includes(user.act.sub))) return deny(reply, otherActor)
      if (roles.length !== 0 && !roles.some((role) => user.roles.includes(role))) return deny(reply, missingRole)
      if (scopes.length !== 0) {
        const granted = user.scope.split(' ')
        if (!scopes.every((needed) => granted.includes(needed))) return deny(reply, missingScope)
      }
      done()
    }
  }

  /** authenticate, then the requirement's check, as one hook. */
  function authenticateAndAuthorize (requirement: AuthRequirement): onRequestHookHandler {
    const check = authorize(requirement)
    return function guard (request, reply, done) {
      authenticate.call(this, request, reply, (error) => {
        if (error !== undefined) done(error)
        else check.call(this, request, reply, done)
      })
    }
  }

  // Keyed by the setting object itself: each route's is built once, on its first request.
  const byRequirement = new WeakMap<AuthRequirement, onRequestHookHandler>()

  /** The guard for a route's `config.auth` (see `requirementOf`); undefined for a public route. */
  function guardFor (setting: unknown, route: RouteName): onRequestHookHandler | undefined {
    if (setting === true) return authenticate
    const requirement = requirementOf(setting, route)
    if (requirement === undefined) return undefined
    if (!checksClaims(requirement)) return authenticate
    let guard = byRequirement.get(requirement)
    if (guard === undefined) {
      guard = authenticateAndAuthorize(requirement)
      byRequirement.set(requirement, guard)
    }
    return guard
  }

  return { authenticate, authorize, guardFor }
}
