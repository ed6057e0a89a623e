import rateLimit from '@fastify/rate-limit'
import type { preHandlerHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { usernameKey } from '../src/users/users-repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Throttles credential checks per client address and per username (run after the body is parsed). */
    loginThrottle: preHandlerHookHandler[]
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
  fastify.decorate('loginThrottle', [
    fastify.rateLimit({ max: perUser * 2, timeWindow: 60_000, groupId: 'login-address' }),
    fastify.rateLimit({
      max: perUser,
      timeWindow: 60_000,
      groupId: 'login-username',
      keyGenerator: (request) => {
        const body = request.body as { username?: unknown } | undefined
        return typeof body?.username === 'string' ? `user:${usernameKey(body.username)}` : ''
      },
      // Requests without a username (other grants) are only throttled per address.
      allowList: (_request, key) => key === ''
    })
  ])
}, { name: 'rate-limit', dependencies: ['config'] })
