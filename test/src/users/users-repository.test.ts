import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { stores } from '../../support/stores.js'
import { usersRepositoryCases } from './users-repository-cases.js'

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => {
    usersRepositoryCases(t, async (t) => {
      const { env, options } = await store.setup(t)
      const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }) })
      // Closed before the store is removed: teardowns run in the reverse order of registration.
      t.after(() => db.destroy())
      await migrateToLatest(db, options.databaseSchema)
      return db
    })
  })
}
