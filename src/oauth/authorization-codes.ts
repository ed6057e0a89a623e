import type { Db } from '../db/database.js'
import { compiledOnce } from '../db/compiled-query.js'
import { createGroupCommit } from '../db/group-commit.js'
import { hashToken, newToken } from '../sessions/refresh-tokens.js'

/** RFC 6749 §4.1.2 recommends ten minutes at most; a browser comes back within seconds. */
export const CODE_TTL_MS = 60_000
const KEPT_FOR_REUSE_MS = 3_600_000

/** What a code is bound to: the exchange must present the same client, redirect URI and verifier. */
export interface CodeBinding {
  clientId: string
  userId: string
  redirectUri: string
  /** BASE64URL(SHA-256(code_verifier)), RFC 7636 §4.2. */
  codeChallenge: string
  scope: string
  resource: string
}

export type Redemption =
  | { outcome: 'redeemed', binding: CodeBinding, codeHash: string }
  /** Presented again: `familyId` is the session its first use started, if it started one. */
  | { outcome: 'reused', userId: string, familyId: string | undefined }
  | { outcome: 'unknown' | 'expired' }

/**
 * Authorization codes: 256 random bits handed to the browser, kept as a SHA-256 hash, spent by one
 * conditional UPDATE so that of two exchanges at once exactly one wins.
 */
export function createAuthorizationCodes (db: Db, now: () => number = Date.now) {
  // Spending a code and naming its session are a redemption's writes: committed with those beside them.
  const inTransaction = createGroupCommit(db)
  // A redemption's statements, compiled once (parameters in the order written).
  const codeByHash = compiledOnce(db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', ''))
  const spendCode = compiledOnce(db.updateTable('authorization_codes').set({ used_at: 0 }).where('code_hash', '=', '').where('used_at', 'is', null))
  const nameSession = compiledOnce(db.updateTable('authorization_codes').set({ family_id: '' }).where('code_hash', '=', ''))

  async function issue (binding: CodeBinding): Promise<string> {
    const code = newToken()
    await db.insertInto('authorization_codes').values({
      code_hash: hashToken(code),
      client_id: binding.clientId,
      user_id: binding.userId,
      redirect_uri: binding.redirectUri,
      code_challenge: binding.codeChallenge,
      scope: binding.scope,
      resource: binding.resource,
      expires_at: now() + CODE_TTL_MS
    }).execute()
    return code
  }

  /**
   * Spends a code if `matches` accepts what it is bound to; a code that does not match stays as it was
   * (the client that owns it may still exchange it). A spent code is `reused`, whoever presents it.
   */
  async function redeem (code: string, matches: (binding: CodeBinding) => boolean): Promise<Redemption | { outcome: 'mismatch' }> {
    const codeHash = hashToken(code)
    return inTransaction(async (trx) => {
      const [row] = (await trx.executeQuery(codeByHash(codeHash))).rows
      if (row === undefined) return { outcome: 'unknown' }
      const reused = { outcome: 'reused' as const, userId: row.user_id, familyId: row.family_id ?? undefined }
      if (row.used_at !== null) return reused
      if (Number(row.expires_at) <= now()) return { outcome: 'expired' }
      const binding: CodeBinding = {
        clientId: row.client_id,
        userId: row.user_id,
        redirectUri: row.redirect_uri,
        codeChallenge: row.code_challenge,
        scope: row.scope,
        resource: row.resource
      }
      if (!matches(binding)) return { outcome: 'mismatch' }
      const spent = await trx.executeQuery(spendCode(now(), codeHash))
      return (spent.numAffectedRows ?? 0n) > 0n ? { outcome: 'redeemed', binding, codeHash } : reused
    })
  }

  /** Records the session a code started, so that the code presented again can end it. */
  async function recordSession (codeHash: string, familyId: string): Promise<void> {
    await inTransaction(async (trx) => trx.executeQuery(nameSession(familyId, codeHash)))
  }

  /** Codes past their time are worth nothing; each is kept an hour more, to recognise a late reuse. */
  async function purgeExpired (): Promise<void> {
    await db.deleteFrom('authorization_codes').where('expires_at', '<', now() - KEPT_FOR_REUSE_MS).execute()
  }

  return { issue, redeem, recordSession, purgeExpired }
}

export type AuthorizationCodes = ReturnType<typeof createAuthorizationCodes>
