import type { Db } from '../db/database.js'

/**
 * Records which key signs now and when each retired key stopped signing, so every instance agrees on
 * how long a retired key's tokens are still accepted. A key first named as retired counts as retired
 * from that moment; a retired key that becomes the signing key again is no longer retired.
 * Returns the retirement time (epoch ms) of each retired key.
 */
export async function recordSigningKeys (db: Db, currentKid: string, retiredKids: readonly string[]): Promise<Map<string, number>> {
  const now = Date.now()
  return db.transaction().execute(async (trx) => {
    await trx.insertInto('signing_keys').values({ kid: currentKid, first_seen_at: now, retired_at: null })
      .onConflict((oc) => oc.column('kid').doUpdateSet({ retired_at: null }))
      .execute()
    const retiredAt = new Map<string, number>()
    for (const kid of retiredKids.filter((kid) => kid !== currentKid)) {
      await trx.insertInto('signing_keys').values({ kid, first_seen_at: now, retired_at: now })
        .onConflict((oc) => oc.column('kid').doNothing())
        .execute()
      await trx.updateTable('signing_keys').set({ retired_at: now }).where('kid', '=', kid).where('retired_at', 'is', null).execute()
      const row = await trx.selectFrom('signing_keys').select('retired_at').where('kid', '=', kid).executeTakeFirstOrThrow()
      retiredAt.set(kid, Number(row.retired_at))
    }
    return retiredAt
  })
}
