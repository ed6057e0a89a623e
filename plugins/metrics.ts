import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { probeDependencies } from '../src/health/dependencies.js'
import { startMetricsServer } from '../src/http/metrics-server.js'
import { createMetrics, type Metrics } from '../src/metrics/metrics.js'

export type TollgateMetrics = Metrics & {
  /**
   * Starts the metrics listener, at METRICS_HOST:METRICS_PORT unless told otherwise, and resolves with
   * its URL; it closes with the app. The server calls it once the API listens.
   */
  listen (address?: { host?: string, port?: number }): Promise<string>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Absent when METRICS_PORT is 0: nothing is counted then, and no hook runs. */
    metrics?: TollgateMetrics
  }
}

/**
 * Counts requests, tokens, logins, revocations and the password-hashing queue, for Prometheus to
 * scrape from a listener of its own: metrics name routes and count failures, so they are never served
 * on the API port. Registered after the services it reads and before the routes it times.
 */
export default fp(async function metrics (fastify) {
  const { config } = fastify
  if (config.METRICS_PORT === 0) return

  const metrics = createMetrics({
    accepted: fastify.tokens.accepted,
    revocations: fastify.revocations.list,
    passwordQueue: fastify.passwords.queue,
    probe: () => probeDependencies(fastify.db, config.REDIS_URL === undefined ? undefined : fastify.redis)
  })
  let server: Awaited<ReturnType<typeof startMetricsServer>> | undefined

  async function listen ({ host = config.METRICS_HOST, port = config.METRICS_PORT } = {}): Promise<string> {
    if (server !== undefined) return server.url
    server = await startMetricsServer({
      host,
      port,
      contentType: metrics.contentType,
      render: metrics.render,
      log: fastify.log
    })
    return server.url
  }

  fastify.decorate('metrics', { ...metrics, listen })
  fastify.addHook('onClose', async () => {
    metrics.close()
    await server?.close()
  })

  // Callback style and no allocation: this runs once for every request the API answers.
  const { requests } = metrics
  fastify.addHook('onResponse', function countResponse (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    requests.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
}, { name: 'metrics', dependencies: ['config', 'core'] })
