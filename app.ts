import { join } from 'node:path'
import autoload from '@fastify/autoload'
import formbody from '@fastify/formbody'
import sseModule, { type SSEPluginOptions } from '@fastify/sse'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import type { DestinationStream } from 'pino'
import type { Environment } from './src/config/environment.js'
import { LOG_LEVELS } from './src/config/schema.js'
import { fastifyTrustProxy } from './src/config/trust-proxy.js'
import { SessionSchema } from './src/http/account-schemas.js'
import { FORM_BODY_LIMIT, parseForm } from './src/http/form-body.js'
import { OAuthErrorSchema, TokenResponseSchema, UserSchema } from './src/http/schemas.js'
import { requestLogController } from './src/logging/request-log.js'
import auth from '@tollgate/auth/plugin'
import clientAuthentication from './plugins/client-authentication.js'
import clients from './plugins/clients.js'
import config from './plugins/config.js'
import core from './plugins/core.js'
import docsClient from './plugins/docs-client.js'
import errorHandler, { frameworkErrors } from './plugins/error-handler.js'
import metrics from './plugins/metrics.js'
import rateLimit from './plugins/rate-limit.js'
import redis from './plugins/redis.js'
import requestLog from './plugins/request-log.js'
import revocations from './plugins/revocations.js'
import securityHeaders from './plugins/security-headers.js'
import storeChanges from './plugins/store-changes.js'
import swagger from './plugins/swagger.js'

export interface BuildAppOptions {
  /** The variables to configure from (`.env` already merged in); tests pass their own. */
  env: Environment
  /** `false` for no logs; otherwise pino options (a `stream` to capture them), at `LOG_LEVEL` by default. */
  logger?: false | { level?: string, stream?: DestinationStream }
  /** PostgreSQL schema to work in (each test run uses its own). */
  databaseSchema?: string
  /** How often to read what other processes wrote to the database (revocations and clients), in milliseconds. */
  databaseSyncMs?: number
  /** `false`: other processes' commits are not heard of as they happen, only polled (and heard through Redis). */
  watchStoreChanges?: boolean
  /** How often, at most, a workload token with an unknown key fetches its issuer's keys again, in milliseconds. */
  keyRefetchMs?: number
}

/**
 * Paths pino masks in every log line: credentials and tokens never reach a log, whichever object
 * carries them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.client_secret',
  '*.access_token',
  '*.refresh_token',
  'password',
  'token'
]

/**
 * The logger exists before the config plugin checks the environment: an unknown level starts at `info`,
 * so the config check, not pino, is what refuses it, naming LOG_LEVEL.
 */
const logLevel = (level: string | undefined): string => LOG_LEVELS.find((known) => known === level) ?? 'info'

/** TRUST_PROXY for Fastify; `false` when it does not parse, which the config check then refuses. */
function trustProxyOf (value: string | undefined): ReturnType<typeof fastifyTrustProxy> {
  try {
    return fastifyTrustProxy(value)
  } catch {
    return false
  }
}

/**
 * @fastify/sse's module object is its plugin wrapped in fastify-plugin, so its reply decorator reaches the
 * routes; its named export is the bare plugin, and its typings call the module object something else.
 */
const sse = sseModule as unknown as FastifyPluginAsync<SSEPluginOptions>

/** Builds Tollgate without listening: the server, the CLI and every test start from here. */
export async function buildApp (options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false
      ? false
      : { level: logLevel(options.env.LOG_LEVEL), ...options.logger, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    // Fastify's lines for every request, or only its errors (REQUEST_LOG); slow requests are plugins/request-log.ts.
    logController: requestLogController(options.env.REQUEST_LOG),
    // Start-up may wait on a remote database's migrations or on Redis: give it longer than the default 10 s.
    pluginTimeout: 30_000,
    frameworkErrors,
    // Before the config plugin, as Fastify takes it only here; an invalid value is refused there, naming it.
    trustProxy: trustProxyOf(options.env.TRUST_PROXY)
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(config, { env: options.env })
  await app.register(requestLog)
  await app.register(errorHandler)
  await app.register(securityHeaders)
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT, parser: parseForm })
  await app.register(sse)
  await app.register(redis)
  await app.register(rateLimit)
  await app.register(core, { ...(options.databaseSchema === undefined ? {} : { databaseSchema: options.databaseSchema }) })
  await app.register(clientAuthentication)
  await app.register(storeChanges, { ...(options.watchStoreChanges === undefined ? {} : { watch: options.watchStoreChanges }) })
  const sync = options.databaseSyncMs === undefined ? {} : { syncIntervalMs: options.databaseSyncMs }
  await app.register(revocations, sync)
  await app.register(clients, { ...sync, ...(options.keyRefetchMs === undefined ? {} : { keyRefetchMs: options.keyRefetchMs }) })
  await app.register(docsClient)
  await app.register(metrics)
  await app.register(auth, (parent) => ({
    verifier: parent.tokens,
    isRevoked: parent.revocations.list.isRevoked,
    ...(parent.metrics === undefined ? {} : { onReject: parent.metrics.tokenRejected })
  }))
  await app.register(swagger)
  for (const schema of [OAuthErrorSchema, TokenResponseSchema, UserSchema, SessionSchema]) app.addSchema(schema)
  await app.register(autoload, { dir: join(import.meta.dirname, 'routes') })
  return app
}
