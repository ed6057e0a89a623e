import type { Redis } from 'ioredis'
import { createAccounts } from './accounts/accounts.js'
import { createClientsService } from './clients/clients-service.js'
import type { Config } from './config/schema.js'
import { tokenEndpointUrl } from './config/urls.js'
import { createDatabase, migrateToLatest } from './db/database.js'
import { createStoreChanges } from './db/store-changes.js'
import { createGrants } from './oauth/grants/index.js'
import { createTokenIntrospection } from './oauth/introspection.js'
import { createTokenRevocation } from './oauth/revocation.js'
import { createTokenExchange } from './oauth/token-exchange.js'
import { createPasswordHasher } from './passwords/password-hasher.js'
import { createRevocationBus } from './revocations/revocation-bus.js'
import { createRevocationFeed } from './revocations/revocation-feed.js'
import { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { createRevocationStore } from './revocations/revocation-store.js'
import { createRefreshTokenStore } from './sessions/refresh-tokens.js'
import { createSessionEnding } from './sessions/session-ending.js'
import { createSessionService } from './sessions/sessions.js'
import { createUserSessions } from './sessions/user-sessions.js'
import { tokenServiceFromConfig, type KeyNotice } from './token-service-from-config.js'
import { ACCESS_TOKEN_TTL_MAX } from '@tollgate/auth/tokens/claims'
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

/** Revocations: the list every check reads, the store that keeps and shares it, the feed relying services follow. */
function openRevocations (config: Config, db: ReturnType<typeof createDatabase>, refreshTokens: ReturnType<typeof createRefreshTokenStore>, options: CoreOptions, log: CoreLog) {
  const list = new RevocationList()
  const onError = (error: unknown, context: string): void => { log.warn({ err: error }, `revocations: ${context}`) }
  const bus = options.redis === undefined
    ? undefined
    : createRevocationBus(options.redis, list, { prefix: config.REDIS_PREFIX, maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX, onError })
  const store = createRevocationStore(db, list, refreshTokens, {
    maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX,
    ...(bus === undefined ? {} : { publish: bus.publish }),
    onPublishError: (error) => { onError(error, 'could not publish to Redis; other instances will read it from the database') }
  })
  return {
    /** What is revoked, in memory: every token check asks it. */
    list,
    /** Applies, publishes and records revocations, and reads those of other processes. */
    store,
    /** Present when Redis is configured: the plugin subscribes through it. */
    bus,
    /** The revocation feed relying services follow (`/auth/revocations`). */
    feed: createRevocationFeed(list)
  }
}

/**
 * Tollgate without HTTP: the stores, services and revocation state, built from the configuration and
 * grouped by concern. The server's plugins decorate from it, the CLI calls it directly, and it opens only
 * the database (and, when given one, publishes through Redis); listening, subscribing and timers belong to
 * whoever runs it.
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
    const revocations = openRevocations(config, db, refreshTokens, options, log)
    const ending = createSessionEnding({ refreshTokens, revocations: revocations.list, revocationStore: revocations.store })
    const lifecycle = createSessionService({ users, passwords, tokens, revocations: revocations.list, refreshTokens, ending })
    const byUser = createUserSessions({ refreshTokens, revocations: revocations.list, ending })
    const clients = createClientsService({
      db,
      redis: options.redis === undefined ? undefined : { client: options.redis, prefix: config.REDIS_PREFIX },
      passwords,
      tokens,
      revocations: revocations.list,
      revocationStore: revocations.store,
      defaultAudience: config.JWT_AUDIENCE,
      assertionAudiences: [config.JWT_ISSUER, tokenEndpointUrl(config)],
      onError: (error, context) => { log.warn({ err: error }, `clients: ${context}`) }
    })
    const introspection = createTokenIntrospection({ tokens, revocations: revocations.list, refreshTokens, users, issuer: config.JWT_ISSUER })
    return {
      config,
      db,
      /** Commits by other connections, heard at once: the plugins that keep copies subscribe; the server watches. */
      storeChanges: createStoreChanges(db, {
        url: config.DATABASE_URL,
        schema: options.databaseSchema,
        onError: (error, context) => { log.warn({ err: error }, `store changes: ${context}`) },
        onReconnect: () => { log.info({}, 'store changes: listening again') }
      }),
      /** The user store. */
      users,
      /** argon2id hashing of user passwords. */
      passwords,
      /** A user's account: create, delete, password, roles, enabled; with the password policy applied. */
      accounts: createAccounts({ users, passwords, sessions: lifecycle, userSessions: byUser, ending }),
      /** Signing and verifying access tokens, and their keys. */
      tokens,
      revocations,
      sessions: {
        /** Logins, refreshes and logouts. */
        lifecycle,
        /** A user's sessions: list them, end one, end all but one. */
        byUser,
        /** The one way sessions end. */
        ending,
        refreshTokens
      },
      /** Service clients: their store, the in-memory copy, authentication and the operator's commands. */
      clients,
      /** The token endpoint's grants, RFC 7662 introspection and RFC 7009 revocation. */
      oauth: {
        grants: createGrants({
          sessions: lifecycle,
          credentials: clients.credentials,
          exchange: createTokenExchange({ credentials: clients.credentials, tokens, revocations: revocations.list, defaultAudience: config.JWT_AUDIENCE })
        }),
        introspection,
        revocation: createTokenRevocation({ introspection, refreshTokens, revocationStore: revocations.store, sessions: { logout: lifecycle.logout }, ending })
      },
      /** Closes the database; Redis belongs to whoever passed it in. */
      close: async (): Promise<void> => { await db.destroy() }
    }
  } catch (error) {
    await db.destroy()
    throw error
  }
}

export type Core = Awaited<ReturnType<typeof openCore>>

/** What the server decorates itself with, one decorator a concern; the configuration has a plugin of its own. */
export type CoreParts = Omit<Core, 'config' | 'close'>
