import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { TollgateError } from '@tollgate/auth/errors'
import { usernameKey } from '../src/users/users-repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Throttles credential checks per client address and per username (a preHandler: it needs the parsed body). */
    loginThrottle: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** The same budgets, for a credential check whose body names no user: a signed-in user's own password. */
    loginThrottleAs: (request: FastifyRequest, reply: FastifyReply, username: string | undefined) => Promise<void>
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
    reply.header('retry-after', String(limit.ttlInSeconds))
    throw new TollgateError('ERR_TOO_MANY_ATTEMPTS', `Too many ${what}: try again in ${limit.ttlInSeconds} seconds`)
  }
}

/**
 * Login throttling with @fastify/rate-limit, counted in Redis when it is configured so every instance
 * shares one budget. The per-username budget applies to any name, existing or not, so a lock-out says
 * nothing about whether an account exists. With Redis unreachable the limits are skipped, not failed.
 */
export default fp(async function loginRateLimit (fastify) {
  const perUser = fastify.config.LOGIN_RATE_LIMIT
  await fastify.register(rateLimit, {
    global: false,
    skipOnError: true,
    nameSpace: `${fastify.config.REDIS_PREFIX}rate-limit:`,
    ...(fastify.hasDecorator('redis') ? { redis: fastify.redis } : {})
  })
  // The account a check is for, when the body does not name it (see loginThrottleAs).
  const usernameOf = new WeakMap<FastifyRequest, string>()
  // Two limiters on one request: `fastify.rateLimit()` hooks run only the first a request meets, so both
  // are checked here through `createRateLimit`, and both count every attempt.
  const limiters = [
    { by: 'address' as const, check: fastify.createRateLimit({ max: perUser * 2, timeWindow: 60_000, keyGenerator: (request) => `address:${request.ip}` }) },
    {
      by: 'username' as const,
      check: fastify.createRateLimit({
        max: perUser,
        timeWindow: 60_000,
        keyGenerator: (request) => {
          const body = request.body as { username?: unknown } | undefined
          const username = usernameOf.get(request) ?? body?.username
          return typeof username === 'string' ? `username:${usernameKey(username)}` : ''
        },
        // Requests without a username (other grants) are only throttled per address.
        allowList: (_request, key) => key === ''
      })
    }
  ]

  fastify.decorate('loginThrottle', async function loginThrottle (request: FastifyRequest, reply: FastifyReply) {
    for (const { by, check } of limiters) await enforce(check, request, reply, 'login attempts', () => fastify.metrics?.loginThrottled(by))
  })
  fastify.decorate('loginThrottleAs', async function loginThrottleAs (request: FastifyRequest, reply: FastifyReply, username: string | undefined) {
    if (username !== undefined) usernameOf.set(request, username)
    await fastify.loginThrottle(request, reply)
  })

  // The client is known only once it has authenticated, after the limiter's key generator would run.
  const clientOf = new WeakMap<FastifyRequest, string>()
  fastify.decorate('clientRateLimit', function clientRateLimit (perSecond: number) {
    const limiter = fastify.createRateLimit({ max: perSecond, timeWindow: 1000, keyGenerator: (request) => `client:${clientOf.get(request) ?? ''}` })
    return async function limitClient (request: FastifyRequest, reply: FastifyReply, clientId: string) {
      clientOf.set(request, clientId)
      await enforce(limiter, request, reply, 'requests from this client')
    }
  })
}, { name: 'rate-limit', dependencies: ['config'] })
