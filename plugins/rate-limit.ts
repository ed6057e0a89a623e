import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { TollgateError } from '@tollgate/auth/errors'
import { namedStores } from '../src/http/throttle-store.js'
import { usernameKey } from '../src/users/users-repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Before a password is checked for `username`: counts the attempt against the client address's budget,
     * and refuses it when the username has used up its budget of failures.
     */
    loginThrottleAs: (request: FastifyRequest, reply: FastifyReply, username: string) => Promise<void>
    /** The username's budget of failures alone: a signed-in user's current password, checked in a session. */
    passwordThrottle: (request: FastifyRequest, reply: FastifyReply, username: string | undefined) => Promise<void>
    /** Counts a wrong password against the username's budget of failures. */
    loginFailed: (request: FastifyRequest) => Promise<void>
    /** A per-client budget of `perSecond` requests: the guard throws 429 with Retry-After past it. */
    clientRateLimit: (perSecond: number) => (request: FastifyRequest, reply: FastifyReply, clientId: string) => Promise<void>
  }
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

/**
 * Counts the request against `limiter`, and refuses it with 429 and Retry-After past the budget, telling
 * `onRefused` first (the metrics count throttled logins).
 */
async function enforce (limiter: Limiter, request: FastifyRequest, reply: FastifyReply, what: string, onRefused?: () => void): Promise<void> {
  const limit = await limiter(request)
  if (!limit.isAllowed && limit.isExceeded) {
    onRefused?.()
    refuse(reply, limit.ttlInSeconds, what)
  }
}

function refuse (reply: FastifyReply, seconds: number, what: string): never {
  reply.header('retry-after', String(seconds))
  throw new TollgateError('ERR_TOO_MANY_ATTEMPTS', `Too many ${what}: try again in ${seconds} seconds`)
}

/**
 * Login throttling with @fastify/rate-limit, counted in Redis when it is configured so every instance
 * shares one budget. Per username it counts failed password checks only, so signing in and changing a
 * password never use it up; per client address it counts every attempt, at twice the limit. The
 * per-username budget applies to any name, existing or not, so a lock-out says nothing about whether an
 * account exists. With Redis unreachable the limits are skipped, not failed.
 */
export default fp(async function loginRateLimit (fastify) {
  const perUser = fastify.config.LOGIN_RATE_LIMIT
  const nameSpace = `${fastify.config.REDIS_PREFIX}rate-limit:`
  const redis = fastify.hasDecorator('redis') ? fastify.redis : undefined
  await fastify.register(rateLimit, {
    global: false,
    skipOnError: true,
    nameSpace,
    store: namedStores(nameSpace, redis),
    ...(redis === undefined ? {} : { redis })
  })
  // The account a check is for: the body does not always name it (a signed-in user's own password).
  const usernameOf = new WeakMap<FastifyRequest, string>()
  // `fastify.rateLimit()` hooks run only the first limiter a request meets, so both are applied here
  // through `createRateLimit`.
  const attempts = fastify.createRateLimit({ max: perUser * 2, timeWindow: 60_000, keyGenerator: (request) => `login-attempts:address:${request.ip}` })
  const failures = fastify.createRateLimit({
    max: perUser,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const username = usernameOf.get(request)
      return username === undefined ? '' : `login-failures:username:${usernameKey(username)}`
    },
    allowList: (_request, key) => key === ''
  })

  /** Read, not counted: the username's budget is spent by failures alone (loginFailed). */
  async function checkFailures (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const limit = await failures(request, { increment: false })
    if (!limit.isAllowed && limit.remaining === 0 && limit.ttlInSeconds > 0) {
      fastify.metrics?.loginThrottled('username')
      refuse(reply, limit.ttlInSeconds, 'failed login attempts for this username')
    }
  }

  fastify.decorate('loginThrottleAs', async function loginThrottleAs (request: FastifyRequest, reply: FastifyReply, username: string) {
    usernameOf.set(request, username)
    await enforce(attempts, request, reply, 'login attempts from this address', () => fastify.metrics?.loginThrottled('address'))
    await checkFailures(request, reply)
  })
  fastify.decorate('passwordThrottle', async function passwordThrottle (request: FastifyRequest, reply: FastifyReply, username: string | undefined) {
    if (username === undefined) return
    usernameOf.set(request, username)
    await checkFailures(request, reply)
  })
  fastify.decorate('loginFailed', async function loginFailed (request: FastifyRequest) {
    await failures(request)
  })

  // The client is known only once it has authenticated, after the limiter's key generator would run.
  const clientOf = new WeakMap<FastifyRequest, string>()
  fastify.decorate('clientRateLimit', function clientRateLimit (perSecond: number) {
    const limiter = fastify.createRateLimit({ max: perSecond, timeWindow: 1000, keyGenerator: (request) => `introspections:client:${clientOf.get(request) ?? ''}` })
    return async function limitClient (request: FastifyRequest, reply: FastifyReply, clientId: string) {
      clientOf.set(request, clientId)
      await enforce(limiter, request, reply, 'requests from this client')
    }
  })
}, { name: 'rate-limit', dependencies: ['config'] })
