import type { Test } from 'tap'
import type { Db } from '../../src/db/database.js'
import { createTokenIntrospection } from '../../src/oauth/introspection.js'
import { createTokenRevocation } from '../../src/oauth/revocation.js'
import { createPasswordHasher } from '../../src/passwords/password-hasher.js'
import { RevocationList, type Revocation } from '@tollgate/auth/revocations/revocation-list'
import { createRevocationStore } from '../../src/revocations/revocation-store.js'
import { createRefreshTokenStore } from '../../src/sessions/refresh-tokens.js'
import { createSessionEnding } from '../../src/sessions/session-ending.js'
import { createSessionService } from '../../src/sessions/sessions.js'
import { ACCESS_TOKEN_TTL_MAX } from '@tollgate/auth/tokens/claims'
import { createTokenService } from '../../src/tokens/token-service.js'
import { createUsersRepository } from '../../src/users/users-repository.js'
import { TEST_ISSUER } from './forge.js'
import { openDatabase, type Store } from './stores.js'

export const TEST_SECRET = 'a-test-secret-that-is-at-least-32-bytes!'

/** How the modules below are opened: the store, and what a test wants different from the defaults. */
export interface ModulesOptions {
  refreshTtlSeconds?: number
  /** The revocation store's publisher (Redis in the server). */
  publish?: (revocation: Revocation) => Promise<void>
}

/**
 * Sessions, revocations, introspection and revocation wired over one bare database, as `openCore` wires
 * them, without configuration, HTTP or Redis, so a test can hold each module and the store beneath it.
 */
export async function openModules (t: Test, store: Store, options: ModulesOptions = {}) {
  const db = await openDatabase(t, store)
  return { db, ...await modulesOver(db, options) }
}

/** The same modules over a database already open: a second instance sharing the first one's store. */
export async function modulesOver (db: Db, options: ModulesOptions = {}) {
  const users = createUsersRepository(db)
  const passwords = await createPasswordHasher(1)
  const tokens = createTokenService({ algorithm: 'HS256', secret: TEST_SECRET, issuer: TEST_ISSUER, audience: 'tollgate-api', ttlSeconds: 900 })
  const refreshTokens = createRefreshTokenStore(db, options.refreshTtlSeconds ?? 3600)
  const revocations = new RevocationList()
  const publishErrors: unknown[] = []
  const revocationStore = createRevocationStore(db, revocations, refreshTokens, {
    maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX,
    ...(options.publish === undefined ? {} : { publish: options.publish }),
    onPublishError: (error) => { publishErrors.push(error) }
  })
  const ending = createSessionEnding({ refreshTokens, revocations, revocationStore })
  const sessions = createSessionService({ users, passwords, tokens, revocations, refreshTokens, ending })
  const introspection = createTokenIntrospection({ tokens, revocations, refreshTokens, users, issuer: TEST_ISSUER })
  const revocation = createTokenRevocation({ introspection, refreshTokens, revocationStore, sessions, ending })
  return { users, passwords, tokens, refreshTokens, revocations, revocationStore, publishErrors, ending, sessions, introspection, revocation }
}

export type Modules = Awaited<ReturnType<typeof openModules>>
