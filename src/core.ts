import type { Redis } from 'ioredis'
import { createPasswordHasher } from './auth/passwords.js'
import { createRefreshTokenStore } from './auth/refresh-tokens.js'
import { createRevocationBus } from './auth/revocation-bus.js'
import { RevocationList } from './auth/revocation-list.js'
import { createRevocationStore } from './auth/revocation-store.js'
import { createSessionService } from './auth/sessions.js'
import { createUserSessions } from './auth/user-sessions.js'
import { ACCESS_TOKEN_TTL_MAX } from './auth/claims.js'
import { createRevocationFeed } from './auth/revocation-feed.js'
import { createTokenIntrospection } from './auth/token-introspection.js'
import { createTokenRevocation } from './auth/token-revocation.js'
import { tokenServiceFromConfig, type KeyNotice } from './auth/token-service-from-config.js'
import { createClientsService } from './clients/clients-service.js'
import type { Config } from './config/schema.js'
import { tokenEndpointUrl } from './config/urls.js'
import { createDatabase, migrateToLatest } from './db/database.js'
import { createStoreChanges } from './db/store-changes.js'
import { createUserAdministration } from './users/user-administration.js'
import { createUsersRepository } from './users/users-repository.js'

/** Where the core says what an operator should know; pino's logger fits. */
export interface CoreLog {
  info (details: object, message: string): void
  warn (details: object, message: string): void
}

export interface CoreOptions {
  /** PostgreSQL schema to work in, instead of the connection's default (each test run uses its own). */
  databaseSchema?: string
  /** The client revocations are published through when REDIS_URL is set; none: they reach others through the database. */
  redis?: Redis
  log?: CoreLog
}

const SILENT: CoreLog = { info () {}, warn () {} }

/**
 * Tollgate without HTTP: the stores, services and revocation state, built from the configuration. The
 * server's plugins decorate from it, the CLI calls it directly, and it opens only the database (and, when
 * given one, publishes through Redis); listening, subscribing and timers belong to whoever runs it.
 */
export async function openCore (config: Config, options: CoreOptions = {}) {
  const log = options.log ?? SILENT
  const db = createDatabase({ url: config.DATABASE_URL, ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }) })
  try {
    await migrateToLatest(db, options.databaseSchema)
    const users = createUsersRepository(db)
    const passwords = await createPasswordHasher()
    const tokens = await tokenServiceFromConfig(config, db, ({ details, message }: KeyNotice) => { log.info(details, message) })
    const refreshTokens = createRefreshTokenStore(db, config.REFRESH_TOKEN_TTL)
    const revocations = new RevocationList()
    const onError = (error: unknown, context: string): void => { log.warn({ err: error }, `revocations: ${context}`) }
    const revocationBus = options.redis === undefined
      ? undefined
      : createRevocationBus(options.redis, revocations, { prefix: config.REDIS_PREFIX, maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX, onError })
    const revocationStore = createRevocationStore(db, revocations, refreshTokens, {
      maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX,
      ...(revocationBus === undefined ? {} : { publish: revocationBus.publish }),
      onPublishError: (error) => { onError(error, 'could not publish to Redis; other instances will read it from the database') }
    })
    const sessions = createSessionService({ users, passwords, tokens, revocations, revocationStore, refreshTokens })
    const clientsService = createClientsService({
      db,
      redis: options.redis === undefined ? undefined : { client: options.redis, prefix: config.REDIS_PREFIX },
      passwords,
      tokens,
      revocations,
      revocationStore,
      defaultAudience: config.JWT_AUDIENCE,
      assertionAudiences: [config.JWT_ISSUER, tokenEndpointUrl(config)],
      onError: (error, context) => { log.warn({ err: error }, `clients: ${context}`) }
    })
    const userSessions = createUserSessions({ refreshTokens, revocations, revocationStore })
    const accounts = createUserAdministration({ users, passwords, sessions, userSessions })
    const revocationFeed = createRevocationFeed(revocations)
    const storeChanges = createStoreChanges(db, {
      url: config.DATABASE_URL,
      schema: options.databaseSchema,
      onError: (error, context) => { log.warn({ err: error }, `store changes: ${context}`) },
      onReconnect: () => { log.info({}, 'store changes: listening again') }
    })
    const introspection = createTokenIntrospection({ tokens, revocations, refreshTokens, users, issuer: config.JWT_ISSUER })
    const revocation = createTokenRevocation({ introspection, refreshTokens, revocationStore, sessions })
    return {
      config,
      db,
      users,
      passwords,
      tokens,
      refreshTokens,
      revocations,
      revocationStore,
      /** Present when Redis is configured: the plugin subscribes through it. */
      revocationBus,
      sessions,
      /** A user's sessions: list them, end one, end all but one. */
      userSessions,
      /** Create and delete users and set passwords, with the password policy applied. */
      accounts,
      ...clientsService,
      introspection,
      revocation,
      revocationFeed,
      /** Commits by other connections, heard at once: the plugins that keep copies subscribe; the server watches. */
      storeChanges,
      /** Closes the database; Redis belongs to whoever passed it in. */
      close: async (): Promise<void> => { await db.destroy() }
    }
  } catch (error) {
    await db.destroy()
    throw error
  }
}

export type Core = Awaited<ReturnType<typeof openCore>>
