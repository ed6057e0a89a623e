import type { Db } from '../db/database.js'
import type { Revocation, RevocationList, RevocationSource } from '@tollgate/auth/revocations/revocation-list'
import { CLOCK_LEEWAY_SECONDS } from '@tollgate/auth/tokens/claims'

/**
 * Where ended sessions are recorded (the refresh-token store): read to learn of sessions other processes
 * ended, and purged of what has expired.
 */
export interface EndedSessions {
  revokedSince (since: number): Promise<Array<{ id: string, userId: string, revokedAt: number }>>
  purgeExpired (now: number): Promise<void>
}

export interface RevocationStoreOptions {
  /** Longest access-token lifetime, in seconds: how far back revoked sessions still matter. */
  maxTokenTtlSeconds: number
  /** Tells other instances at once (Redis pub/sub); a failure there never fails the revocation. */
  publish?: (revocation: Revocation) => Promise<void>
  onPublishError?: (error: unknown) => void
}

/**
 * Revocations: applied in memory first (this instance refuses the token from now on), published to other
 * instances, and kept in the SQL store so a restart, or an instance without Redis, forgets nothing.
 */
export function createRevocationStore (db: Db, list: RevocationList, refreshTokens: EndedSessions, options: RevocationStoreOptions) {
  let seenTokensUntil = 0
  let seenCutoffsUntil = 0
  let seenSessionsUntil = 0

  async function announce (revocation: Revocation): Promise<void> {
    list.apply(revocation)
    if (options.publish === undefined) return
    try {
      await options.publish(revocation)
    } catch (error) {
      options.onPublishError?.(error)
    }
  }

  async function revokeToken (jti: string, exp: number): Promise<void> {
    await announce({ kind: 'token', id: jti, until: exp })
    await db.insertInto('revoked_tokens')
      .values({ jti, expires_at: exp, revoked_at: Date.now() })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute()
  }

  /** The session's refresh family is revoked in the store by the caller; this ends its access tokens. */
  async function revokeSession (sid: string): Promise<void> {
    await announce({ kind: 'session', id: sid, until: Math.ceil(Date.now() / 1000) + options.maxTokenTtlSeconds })
  }

  async function cutOff (userId: string, notBefore: number): Promise<void> {
    await announce({ kind: 'cutoff', id: userId, until: notBefore })
    const updatedAt = Date.now()
    await db.insertInto('user_cutoffs')
      .values({ user_id: userId, not_before: notBefore, updated_at: updatedAt })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ not_before: notBefore, updated_at: updatedAt }))
      .execute()
  }

  /**
   * Reads what changed since the last call (everything still relevant, the first time) into memory;
   * `source` says what prompted the read: the periodic poll, or a commit heard of.
   */
  async function sync (source: Extract<RevocationSource, `database-${string}`> = 'database-poll'): Promise<void> {
    const now = Date.now()
    const ttlMs = options.maxTokenTtlSeconds * 1000
    // Rows committed in the same millisecond as the last look may have been missed then: look back a little.
    const tokens = await db.selectFrom('revoked_tokens').select(['jti', 'expires_at', 'revoked_at'])
      .where('revoked_at', '>=', seenTokensUntil - 1000)
      .where('expires_at', '>=', Math.floor(now / 1000) - CLOCK_LEEWAY_SECONDS)
      .execute()
    for (const row of tokens) {
      list.apply({ kind: 'token', id: row.jti, until: Number(row.expires_at) }, source)
      seenTokensUntil = Math.max(seenTokensUntil, Number(row.revoked_at))
    }
    const cutoffs = await db.selectFrom('user_cutoffs').select(['user_id', 'not_before', 'updated_at'])
      .where('updated_at', '>=', Math.max(seenCutoffsUntil - 1000, now - ttlMs - CLOCK_LEEWAY_SECONDS * 1000))
      .execute()
    for (const row of cutoffs) {
      list.apply({ kind: 'cutoff', id: row.user_id, until: Number(row.not_before) }, source)
      seenCutoffsUntil = Math.max(seenCutoffsUntil, Number(row.updated_at))
    }
    for (const session of await refreshTokens.revokedSince(Math.max(seenSessionsUntil - 1000, now - ttlMs - CLOCK_LEEWAY_SECONDS * 1000))) {
      seenSessionsUntil = Math.max(seenSessionsUntil, session.revokedAt)
      // Ended with all of its user's sessions (a user disabled, their roles or password changed, a logout
      // everywhere): only the user's cut-off is published, and it already refuses every token the session
      // issued (none after its end, so all with `iat` before the cut-off). The row brings nothing new, and
      // counting it as a revocation the poll delivered would read as an instance missing Redis messages.
      if (Math.floor(session.revokedAt / 1000) < list.notBefore(session.userId)) continue
      list.apply({ kind: 'session', id: session.id, until: Math.ceil(session.revokedAt / 1000) + options.maxTokenTtlSeconds }, source)
    }
  }

  /** Forgets what can no longer match an unexpired token, in memory and in the store. */
  async function purgeExpired (nowSeconds: number = Math.floor(Date.now() / 1000)): Promise<void> {
    list.prune(nowSeconds, options.maxTokenTtlSeconds)
    await db.deleteFrom('revoked_tokens').where('expires_at', '<', nowSeconds - CLOCK_LEEWAY_SECONDS).execute()
    await refreshTokens.purgeExpired(nowSeconds * 1000)
  }

  return { revokeToken, revokeSession, cutOff, sync, purgeExpired }
}

export type RevocationStore = ReturnType<typeof createRevocationStore>
