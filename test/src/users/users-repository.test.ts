import t from 'tap'
import { openDatabase, stores } from '../../support/stores.js'
import { usersRepositoryCases } from './users-repository-cases.js'

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => {
    usersRepositoryCases(t, (t) => openDatabase(t, store))
  })
}
