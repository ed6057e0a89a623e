import type { Redis } from 'ioredis'
import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { RevocationStore } from '../revocations/revocation-store.js'
import type { TokenService } from '../tokens/token-service.js'
import type { Db } from '../db/database.js'
import { createDatabaseJtiRegistry, createRedisJtiRegistry, inFrontOf, type JtiRegistry } from './assertion-replay.js'
import { createClientAdministration } from './client-administration.js'
import { createClientChangeBus } from './client-change-bus.js'
import { createClientCredentials } from './client-credentials.js'
import { createClientDirectory } from './client-directory.js'
import { createClientsRepository, type ClientsRepository } from './clients-repository.js'
import { createTrustedIssuers } from './trusted-issuers.js'
import { createTrustedIssuersRepository } from './trusted-issuers-repository.js'

export interface ClientsServiceOptions {
  db: Db
  /** With Redis, client changes are announced to every instance at once and replayed assertion jtis refused there first. */
  redis?: { client: Redis, prefix: string } | undefined
  passwords: PasswordHasher
  tokens: TokenService
  revocations: RevocationList
  revocationStore: RevocationStore
  /** JWT_AUDIENCE. */
  defaultAudience: string
  /** The `aud` values a client assertion may carry: the issuer and the token endpoint URL. */
  assertionAudiences: readonly string[]
  onError: (error: unknown, context: string) => void
}

/**
 * The repository, with every write also applied to this instance's copy of the clients and announced to
 * the others: whoever writes through it (an operator's command, a grant replacing a legacy hash, a test)
 * is seen at once.
 */
function announcing (repository: ClientsRepository, changed: (clientId: string) => Promise<void>): ClientsRepository {
  return {
    ...repository,
    async create (input) {
      const client = await repository.create(input)
      await changed(input.id)
      return client
    },
    async update (id, changes, onlyIfSecretHash) {
      const found = await repository.update(id, changes, onlyIfSecretHash)
      if (found) await changed(id)
      return found
    },
    async rehashSecret (id, verifiedHash, newHash) {
      await repository.rehashSecret(id, verifiedHash, newHash)
      await changed(id)
    }
  }
}

/**
 * Service clients, put together: the store, the in-memory copy every grant reads, the grant and the
 * operator's commands. Whoever serves grants loads the copy and keeps it current (plugins/clients.ts):
 * a command-line run only writes, and announces what it wrote.
 */
export function createClientsService (options: ClientsServiceOptions) {
  const { db, redis, onError } = options
  const repository = createClientsRepository(db)
  const directory = createClientDirectory(repository, { assertionAudiences: options.assertionAudiences, onError })
  const databaseJtis = createDatabaseJtiRegistry(db)
  const changeBus = redis === undefined ? undefined : createClientChangeBus(redis.client, directory, { prefix: redis.prefix, onError })
  const jtis: JtiRegistry = redis === undefined
    ? databaseJtis
    : inFrontOf(createRedisJtiRegistry(redis.client, redis.prefix), databaseJtis,
      (error) => onError(error, 'could not reach Redis for an assertion\'s jti; the database alone decides'))

  /** This instance applies a change at once; the others hear of it through Redis, or poll it. */
  async function changed (clientId: string): Promise<void> {
    await directory.refresh(clientId)
    await changeBus?.publish(clientId).catch((error: unknown) => onError(error, 'could not publish a client change; other instances will read it from the database'))
  }
  const clients = announcing(repository, changed)
  const trustedIssuers = createTrustedIssuersRepository(db)
  const federation = createTrustedIssuers(trustedIssuers, { audiences: options.assertionAudiences, onError })

  return {
    /** The store, announcing every write. */
    repository: clients,
    /** This instance's in-memory copy, which every grant reads. */
    directory,
    /** Present when Redis is configured: the plugin subscribes through it. */
    changeBus,
    /** Client authentication and the client credentials grant. */
    credentials: createClientCredentials({ ...options, directory, clients, jtis, federation }),
    /** Workload identity federation: the trusted issuers in the store, and in memory with their keys. */
    federation: { issuers: trustedIssuers, trusted: federation },
    /** The operator's commands: add, update, disable, rotate a secret, set a key. */
    administration: createClientAdministration({ ...options, clients }),
    purgeExpiredJtis: () => databaseJtis.purgeExpired()
  }
}
