import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { usersRepositoryCases } from './users-repository-cases.js'

t.test('on SQLite', async (t) => {
  usersRepositoryCases(t, async () => {
    const db = createDatabase({ url: 'sqlite::memory:' })
    await migrateToLatest(db)
    return { db, close: () => db.destroy() }
  })
})
