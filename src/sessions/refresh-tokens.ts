import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Db } from '../db/database.js'
import { compiledOnce } from '../db/compiled-query.js'
import { createGroupCommit } from '../db/group-commit.js'

export type RevokeReason = 'logout' | 'reuse' | 'user-changed' | 'logout-all' | 'ended' | 'password-changed' | 'user-deleted'

/** Where a session is used from, as the request said: shown to its owner, never trusted for anything. */
export interface SessionClient {
  userAgent?: string | undefined
  address?: string | undefined
}

/** A session its owner can still use: its family is not revoked and holds an unspent, unexpired token. */
export interface LiveSession {
  id: string
  userId: string
  createdAt: number
  lastUsedAt: number
  userAgent: string | null
  address: string | null
}

export type RotationResult =
  | { outcome: 'rotated', userId: string, familyId: string, token: string }
  /** A spent token came back: its family has just been revoked. */
  | { outcome: 'reused', userId: string, familyId: string }
  | { outcome: 'expired' | 'revoked' | 'unknown' }

export interface LiveRefreshToken {
  familyId: string
  userId: string
  /** Epoch ms. */
  createdAt: number
  expiresAt: number
}

/**
 * A refresh token (and an authorization code) is 256 random bits; only its SHA-256 is stored, so a copy of
 * the table grants nothing.
 */
export const newToken = (): string => randomBytes(32).toString('base64url')
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** Cut to the columns' sizes, in code points as PostgreSQL's varchar counts them. */
const clip = (value: string | undefined, size: number): string | null => value === undefined ? null : [...value].slice(0, size).join('')
/** A family's `last_used_at`, `user_agent` and `address`, in that order: the compiled statements' parameters. */
const clientParameters = (client: SessionClient, now: number) =>
  [now, clip(client.userAgent, 256), clip(client.address, 64)] as const

/**
 * Refresh tokens in families: each login starts a family, each refresh spends one token and adds the
 * next. Spending is one conditional UPDATE, so of two concurrent refreshes with one token exactly one
 * wins; presenting a spent token again revokes the whole family (OAuth 2.0 Security BCP §4.14.2).
 */
export function createRefreshTokenStore (db: Db, ttlSeconds: number) {
  // A login's new family and a refresh's rotation are a grant's writes: committed with those of the grants beside them.
  const inTransaction = createGroupCommit(db)
  // A refresh's four statements, compiled once (parameters in the order written).
  const insertToken = compiledOnce(db.insertInto('refresh_tokens').values({ token_hash: '', family_id: '', created_at: 0, expires_at: 0 }))
  const spendToken = compiledOnce(db.updateTable('refresh_tokens').set({ spent_at: 0 }).where('token_hash', '=', '').where('spent_at', 'is', null)
    .returning(['family_id', 'expires_at']))
  const familyOfToken = compiledOnce(db.selectFrom('refresh_tokens')
    .innerJoin('refresh_families', 'refresh_families.id', 'refresh_tokens.family_id')
    .select(['refresh_families.id as familyId', 'refresh_families.user_id as userId', 'refresh_families.revoked_at as revokedAt'])
    .where('refresh_tokens.token_hash', '=', ''))
  const insertFamily = compiledOnce(db.insertInto('refresh_families').values({ id: '', user_id: '', created_at: 0, last_used_at: 0, user_agent: null, address: null }))
  const familyUsed = compiledOnce(db.updateTable('refresh_families').set({ last_used_at: 0, user_agent: null, address: null }).where('id', '=', ''))

  async function issueInFamily (executor: Db, familyId: string, now: number): Promise<string> {
    const token = newToken()
    await executor.executeQuery(insertToken(hashToken(token), familyId, now, now + ttlSeconds * 1000))
    return token
  }

  /** Starts a family for a fresh login; its id becomes the access tokens' `sid`. */
  async function startFamily (userId: string, client: SessionClient = {}): Promise<{ familyId: string, token: string }> {
    const familyId = randomUUID()
    const now = Date.now()
    return inTransaction(async (trx) => {
      await trx.executeQuery(insertFamily(familyId, userId, now, ...clientParameters(client, now)))
      return { familyId, token: await issueInFamily(trx, familyId, now) }
    })
  }

  async function rotate (token: string, client: SessionClient = {}): Promise<RotationResult> {
    const tokenHash = hashToken(token)
    const now = Date.now()
    return inTransaction(async (trx): Promise<RotationResult> => {
      const [spent] = (await trx.executeQuery(spendToken(now, tokenHash))).rows
      const [row] = (await trx.executeQuery(familyOfToken(tokenHash))).rows
      if (row === undefined) return { outcome: 'unknown' }
      if (spent === undefined) {
        if (row.revokedAt !== null) return { outcome: 'revoked' }
        await revokeFamilies(trx, 'reuse', { familyId: row.familyId }, now)
        return { outcome: 'reused', userId: row.userId, familyId: row.familyId }
      }
      if (row.revokedAt !== null) return { outcome: 'revoked' }
      if (Number(spent.expires_at) <= now) return { outcome: 'expired' }
      await trx.executeQuery(familyUsed(...clientParameters(client, now), row.familyId))
      return { outcome: 'rotated', userId: row.userId, familyId: row.familyId, token: await issueInFamily(trx, row.familyId, now) }
    })
  }

  type FamilySelector = { familyId: string } | { userId: string, except?: string | undefined }

  async function revokeFamilies (executor: Db, reason: RevokeReason, where: FamilySelector, now = Date.now()): Promise<string[]> {
    const rows = await executor.updateTable('refresh_families')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('revoked_at', 'is', null)
      .where((eb) => 'familyId' in where
        ? eb('id', '=', where.familyId)
        : eb.and([eb('user_id', '=', where.userId), ...(where.except === undefined ? [] : [eb('id', '!=', where.except)])]))
      .returning('id')
      .execute()
    return rows.map((row) => row.id)
  }

  /** Ends one family; returns whether it was still live. */
  async function revokeFamily (familyId: string, reason: RevokeReason): Promise<boolean> {
    return (await revokeFamilies(db, reason, { familyId })).length > 0
  }

  /** Ends every family of a user (but `except`, the one a password change goes on in); returns their ids. */
  async function revokeUserFamilies (userId: string, reason: RevokeReason, except?: string): Promise<string[]> {
    return revokeFamilies(db, reason, { userId, except })
  }

  /** The user's live sessions (or the one with this id), most recently used first. */
  async function liveSessions (where: { userId: string } | { familyId: string }, now = Date.now()): Promise<LiveSession[]> {
    const rows = await db.selectFrom('refresh_families')
      .select(['id', 'user_id', 'created_at', 'last_used_at', 'user_agent', 'address'])
      .where('revoked_at', 'is', null)
      .where((eb) => 'userId' in where ? eb('user_id', '=', where.userId) : eb('id', '=', where.familyId))
      .where(({ exists, selectFrom }) => exists(selectFrom('refresh_tokens').select('token_hash')
        .whereRef('refresh_tokens.family_id', '=', 'refresh_families.id')
        .where('spent_at', 'is', null)
        .where('expires_at', '>', now)))
      .execute()
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      createdAt: Number(row.created_at),
      lastUsedAt: Number(row.last_used_at ?? row.created_at),
      userAgent: row.user_agent,
      address: row.address
    })).sort((a, b) => b.lastUsedAt - a.lastUsedAt || a.id.localeCompare(b.id))
  }

  /**
   * A refresh token that could be exchanged now: unspent, unexpired, in a live family. For introspection
   * and revocation, which must not spend it.
   */
  async function findLive (token: string, now = Date.now()): Promise<LiveRefreshToken | undefined> {
    const row = await db.selectFrom('refresh_tokens')
      .innerJoin('refresh_families', 'refresh_families.id', 'refresh_tokens.family_id')
      .select(['refresh_families.id as familyId', 'refresh_families.user_id as userId', 'refresh_tokens.created_at as createdAt', 'refresh_tokens.expires_at as expiresAt'])
      .where('refresh_tokens.token_hash', '=', hashToken(token))
      .where('refresh_tokens.spent_at', 'is', null)
      .where('refresh_families.revoked_at', 'is', null)
      .where('refresh_tokens.expires_at', '>', now)
      .executeTakeFirst()
    return row === undefined ? undefined : { ...row, createdAt: Number(row.createdAt), expiresAt: Number(row.expiresAt) }
  }

  /** Families revoked at or after `since` (epoch ms), for instances catching up from the store. */
  async function revokedSince (since: number): Promise<Array<{ id: string, userId: string, revokedAt: number }>> {
    const rows = await db.selectFrom('refresh_families').select(['id', 'user_id', 'revoked_at'])
      .where('revoked_at', '>=', since).execute()
    return rows.map((row) => ({ id: row.id, userId: row.user_id, revokedAt: Number(row.revoked_at) }))
  }

  /** Deletes tokens that can no longer be exchanged, and families left with none. */
  async function purgeExpired (now = Date.now()): Promise<void> {
    await db.deleteFrom('refresh_tokens').where('expires_at', '<', now).execute()
    await db.deleteFrom('refresh_families')
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('refresh_tokens').select('token_hash').whereRef('refresh_tokens.family_id', '=', 'refresh_families.id')
      )))
      .execute()
  }

  return { startFamily, rotate, findLive, revokeFamily, revokeUserFamilies, liveSessions, revokedSince, purgeExpired }
}

export type RefreshTokenStore = ReturnType<typeof createRefreshTokenStore>
