import { Type, type Static } from '@sinclair/typebox'
import { ACCESS_TOKEN_TTL_MAX, ACCESS_TOKEN_TTL_MIN } from '@tollgate/auth/tokens/claims'

/**
 * Every variable Tollgate reads, in one schema: parse-config.ts validates the environment against it,
 * `.env.example` documents it, and the `Config` type is derived from it.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const REQUEST_LOGS = ['errors', 'all'] as const

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  // 9464 is the port registered for Prometheus exporters of Node.js applications; 0 turns metrics off.
  TRUST_PROXY: Type.Optional(Type.String({ description: 'which proxies to believe about the client address: true, false, a hop count, or addresses and CIDR ranges' })),
  METRICS_PORT: Type.Integer({ default: 9464, minimum: 0, maximum: 65535 }),
  METRICS_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  LOG_LEVEL: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { default: 'info' }
  ),
  // Fastify writes two lines for every request: more work than a grant or a guarded request itself.
  REQUEST_LOG: Type.Union(
    REQUEST_LOGS.map((mode) => Type.Literal(mode)),
    { default: 'errors', description: 'errors: a line for a 5xx or a slow request only; all: Fastify\'s two lines for every request too' }
  ),
  SLOW_REQUEST_MS: Type.Integer({ default: 1000, minimum: 1, description: 'a request answered slower than this is logged as a warning' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ALGORITHM: Type.Union(
    [Type.Literal('HS256'), Type.Literal('RS256'), Type.Literal('ES256'), Type.Literal('EdDSA')],
    { default: 'HS256' }
  ),
  JWT_PRIVATE_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_RETIRED_KEY_FILES: Type.Optional(Type.String({ minLength: 1 })),
  JWT_NEXT_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  PUBLIC_URL: Type.Optional(Type.String({ minLength: 1, description: 'the base URL clients reach Tollgate at; default http://HOST:PORT, required in production' })),
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'default PUBLIC_URL' })),
  JWT_AUDIENCE: Type.String({ default: 'tollgate-api', minLength: 1 }),
  ACCESS_TOKEN_TTL: Type.Integer({ default: 900, minimum: ACCESS_TOKEN_TTL_MIN, maximum: ACCESS_TOKEN_TTL_MAX }),
  REFRESH_TOKEN_TTL: Type.Integer({ default: 1_209_600, minimum: 60 }),
  DATABASE_URL: Type.String({ default: 'sqlite:./data/tollgate.db', pattern: '^(sqlite:|postgres(ql)?://)' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_PREFIX: Type.String({ default: 'tollgate:', pattern: '^[A-Za-z0-9:_.-]{1,64}$' }),
  INTROSPECTION_RATE_LIMIT: Type.Integer({ default: 5000, minimum: 1, description: 'introspections a second per client' }),
  // RFC 9700 §2.4: the password grant hands a user's password to the client. On by default for the
  // clients that use it; `false` leaves the authorization code flow (with PKCE) as the way people sign in.
  PASSWORD_GRANT: Type.Boolean({ default: true, description: 'the password grant and POST /auth/login' }),
  LOGIN_RATE_LIMIT: Type.Integer({ default: 10, minimum: 1, description: 'failed password checks a minute per username; every login attempt per client address, at twice that' }),
  TOLLGATE_ADMIN_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  TOLLGATE_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 }))
})

/** The configuration once read: the base URL and the issuer always have a value (parse-config.ts). */
export type Config = Static<typeof ConfigSchema> & { PUBLIC_URL: string, JWT_ISSUER: string }
