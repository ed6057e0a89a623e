import fp from 'fastify-plugin'
import { slowOrFailedRequests } from '../src/logging/request-log.js'

/**
 * A warning for each request that fails with a 5xx or answers slower than SLOW_REQUEST_MS, whatever
 * REQUEST_LOG says (app.ts gives Fastify its request lines). Registered before every route, so it times
 * them all.
 */
export default fp(async function requestLog (fastify) {
  fastify.addHook('onResponse', slowOrFailedRequests(fastify.config.SLOW_REQUEST_MS))
}, { name: 'request-log', dependencies: ['config'] })
