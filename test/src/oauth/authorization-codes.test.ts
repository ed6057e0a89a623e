import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { createAuthorizationCodes } from '../../../src/oauth/authorization-codes.js'

const BINDING = { clientId: 'web-app', userId: 'u-1', redirectUri: 'https://app.example/cb', codeChallenge: 'c'.repeat(43), scope: '', resource: 'tollgate-api' }

t.test('codes expire after 60 s, and are purged an hour later, when their reuse no longer matters', async (t) => {
  const db = createDatabase({ url: 'sqlite::memory:' })
  t.teardown(() => db.destroy())
  await migrateToLatest(db)
  let now = 5_000_000
  const codes = createAuthorizationCodes(db, () => now)
  const code = await codes.issue(BINDING)
  now += 60_000
  t.match(await codes.redeem(code, () => true), { outcome: 'expired' })
  now += 3_600_000
  await codes.purgeExpired()
  t.equal((await db.selectFrom('authorization_codes').selectAll().execute()).length, 1, 'kept for an hour past its expiry')
  now += 1
  await codes.purgeExpired()
  t.match(await codes.redeem(code, () => true), { outcome: 'unknown' }, 'then gone')
})
