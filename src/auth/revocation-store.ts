import type { Db } from '../db/database.js'
import type { RevocationList } from './revocation-list.js'

/**
 * Keeps revocations in the SQL store, so a restart forgets nothing, and copies them into an in-memory
 * RevocationList: all of them at start, then whatever other processes (another instance, the CLI)
 * wrote since the last look, on every `sync`.
 */
export function createRevocationStore (db: Db, list: RevocationList) {
  let seenTokensUntil = 0
  let seenCutoffsUntil = 0

  async function revokeToken (jti: string, exp: number): Promise<void> {
    list.revokeToken(jti, exp)
    await db.insertInto('revoked_tokens')
      .values({ jti, expires_at: exp, revoked_at: Date.now() })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute()
  }

  async function cutOff (userId: string, notBefore: number): Promise<void> {
    list.cutOff(userId, notBefore)
    const updatedAt = Date.now()
    await db.insertInto('user_cutoffs')
      .values({ user_id: userId, not_before: notBefore, updated_at: updatedAt })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ not_before: notBefore, updated_at: updatedAt }))
      .execute()
  }

  /** Reads what changed since the last call (everything, the first time) into the in-memory list. */
  async function sync (): Promise<void> {
    const now = Date.now()
    // Rows written in the same millisecond as the last look may have been missed then: look back a little.
    const tokens = await db.selectFrom('revoked_tokens').select(['jti', 'expires_at', 'revoked_at'])
      .where('revoked_at', '>=', seenTokensUntil - 1000)
      .where('expires_at', '>=', Math.floor(now / 1000) - 60)
      .execute()
    for (const row of tokens) {
      list.revokeToken(row.jti, Number(row.expires_at))
      seenTokensUntil = Math.max(seenTokensUntil, Number(row.revoked_at))
    }
    const cutoffs = await db.selectFrom('user_cutoffs').select(['user_id', 'not_before', 'updated_at'])
      .where('updated_at', '>=', seenCutoffsUntil - 1000)
      .execute()
    for (const row of cutoffs) {
      list.cutOff(row.user_id, Number(row.not_before))
      seenCutoffsUntil = Math.max(seenCutoffsUntil, Number(row.updated_at))
    }
  }

  /** Deletes revocations of tokens that have expired: they can never be presented successfully again. */
  async function purgeExpired (nowSeconds: number = Math.floor(Date.now() / 1000)): Promise<void> {
    list.prune(nowSeconds)
    await db.deleteFrom('revoked_tokens').where('expires_at', '<', nowSeconds - 60).execute()
  }

  return { revokeToken, cutOff, sync, purgeExpired }
}

export type RevocationStore = ReturnType<typeof createRevocationStore>
