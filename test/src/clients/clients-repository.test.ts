import t, { type Test } from 'tap'
import { checkClientId, checkScopes, createClientsRepository } from '../../../src/clients/clients-repository.js'
import { openDatabase, stores, type Store } from '../../support/stores.js'

/** What a malformed client id or scope is refused with. */
const INVALID = { code: 'ERR_INVALID_ARGUMENT' }

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'
const OTHER_HASH = '$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0c2FsdA$b3RoZXJoYXNob3RoZXJoYXNo'

t.test('client ids: 3-64 lower-case letters, digits and ._-, starting with a letter, never a UUID', async (t) => {
  for (const id of ['abc', 'billing', 'billing-v2', 'svc.reports_2', `a${'b'.repeat(63)}`]) {
    t.doesNotThrow(() => checkClientId(id), id)
  }
  const refused = ['', 'ab', 'Billing', 'BILLING', '9lives', '-billing', 'bill ing', 'bill\ning', 'b@d', `a${'b'.repeat(64)}`,
    '0d8b3a7e-5a4c-4f1e-9c2b-7f6e5d4c3b2a', 'd8b3a7e0-5a4c-4f1e-9c2b-7f6e5d4c3b2a']
  for (const id of refused) {
    t.throws(() => checkClientId(id), INVALID, JSON.stringify(id))
  }
  t.throws(() => checkClientId('bill\ning'), { message: /^client id "bill\\ning" must be/ }, 'the id is quoted on one line')
})

t.test('scopes: letters, digits and _.:- only', async (t) => {
  t.doesNotThrow(() => checkScopes([]))
  t.doesNotThrow(() => checkScopes(['users:read', 'reports.write', 'a_b-c']))
  for (const scope of ['', 'users read', 'b@d', 'x'.repeat(65), 'new\nline']) {
    t.throws(() => checkScopes(['users:read', scope]), INVALID, JSON.stringify(scope))
  }
})

function repositoryCases (t: Test, store: Store): void {
  async function repository (t: Test) {
    return createClientsRepository(await openDatabase(t, store))
  }

  t.test('a created client is found with its hash, and listed by id without it', async (t) => {
    const clients = await repository(t)
    const billing = await clients.create({ id: 'billing', secretHash: HASH, scopes: ['users:read', 'reports:write', 'users:read'] })
    t.match(billing, { id: 'billing', scopes: ['users:read', 'reports:write'], disabled: false })
    t.notOk('secretHash' in billing)
    t.type(billing.createdAt, 'number')
    const audit = await clients.create({ id: 'audit', secretHash: HASH, scopes: [] })

    t.same(await clients.find('billing'), { ...billing, secretHash: HASH })
    t.same(await clients.find('audit'), { ...audit, secretHash: HASH }, 'no scopes round-trips as an empty list')
    t.equal(await clients.find('nobody'), undefined)
    t.same(await clients.list(), [audit, billing])
  })

  t.test('create refuses a bad id, bad scopes and a taken id', async (t) => {
    const clients = await repository(t)
    await clients.create({ id: 'billing', secretHash: HASH, scopes: [] })
    await t.rejects(clients.create({ id: 'billing', secretHash: OTHER_HASH, scopes: [] }), { code: 'ERR_CLIENT_EXISTS', message: 'client "billing" already exists' })
    await t.rejects(clients.create({ id: 'Billing', secretHash: HASH, scopes: [] }), INVALID)
    await t.rejects(clients.create({ id: 'reports', secretHash: HASH, scopes: ['no spaces'] }), INVALID)
    t.same((await clients.list()).map((client) => client.id), ['billing'])
    t.equal((await clients.find('billing'))?.secretHash, HASH, 'the first client keeps its secret')
  })

  t.test('update changes what it is given and tells whether the client exists', async (t) => {
    const clients = await repository(t)
    await clients.create({ id: 'billing', secretHash: HASH, scopes: ['users:read'] })
    t.equal(await clients.update('billing', { disabled: true }), true)
    t.match(await clients.find('billing'), { disabled: true, scopes: ['users:read'], secretHash: HASH })
    t.equal(await clients.update('billing', { disabled: false, scopes: ['a', 'b', 'a'], secretHash: OTHER_HASH }), true)
    t.match(await clients.find('billing'), { disabled: false, scopes: ['a', 'b'], secretHash: OTHER_HASH })
    await t.rejects(clients.update('billing', { scopes: ['b@d'] }), INVALID)
    t.equal(await clients.update('nobody', { disabled: true }), false)
  })

  t.test('audiences, a lifetime and a key are kept, changed and cleared', async (t) => {
    const clients = await repository(t)
    const pem = '-----BEGIN PUBLIC KEY-----\nkey\n-----END PUBLIC KEY-----\n'
    const created = await clients.create({ id: 'billing', publicKey: pem, scopes: [], audiences: ['https://a.internal', 'b', 'b'], tokenTtl: 300 })
    t.match(created, { audiences: ['https://a.internal', 'b'], tokenTtl: 300, publicKey: pem })
    t.equal((await clients.find('billing'))?.secretHash, undefined, 'a client with a key has no secret')
    t.equal(await clients.update('billing', { audiences: [], tokenTtl: null, publicKey: null, secretHash: HASH }), true)
    t.match(await clients.find('billing'), { audiences: [], tokenTtl: undefined, publicKey: undefined, secretHash: HASH })
    await t.rejects(clients.update('billing', { tokenTtl: 3601 }), INVALID)
    await t.rejects(clients.update('billing', { audiences: ['a b'] }), INVALID)
  })

  t.test('every write moves the version on, even two in one millisecond', async (t) => {
    const clients = await repository(t)
    await clients.create({ id: 'billing', secretHash: HASH, scopes: [] })
    await clients.create({ id: 'audit', secretHash: HASH, scopes: [] })
    const seen = [(await clients.versions()).get('billing')]
    const realNow = Date.now
    const frozen = realNow()
    Date.now = () => frozen
    t.teardown(() => { Date.now = realNow })
    for (let i = 0; i < 3; i++) {
      await clients.update('billing', { scopes: [`s${i}`] })
      seen.push((await clients.versions()).get('billing'))
    }
    t.ok(seen.every((version, i) => i === 0 || (version ?? 0) > (seen[i - 1] ?? 0)), `versions ${seen.join(' < ')}`)
    t.same([...(await clients.versions()).keys()].sort(), ['audit', 'billing'])
    t.same((await clients.findAll(['billing'])).map((client) => client.id), ['billing'])
    t.same(await clients.findAll([]), [])
    t.equal((await clients.findAll()).length, 2)
  })

  t.test('rehashSecret replaces only the hash that was verified', async (t) => {
    const clients = await repository(t)
    await clients.create({ id: 'billing', secretHash: HASH, scopes: [] })
    // A rotation happened between verifying the old secret and storing its stronger hash.
    await clients.update('billing', { secretHash: OTHER_HASH })
    await clients.rehashSecret('billing', HASH, '$argon2id$rehashed-old-secret')
    t.equal((await clients.find('billing'))?.secretHash, OTHER_HASH, 'the rotated secret stays')
    await clients.rehashSecret('billing', OTHER_HASH, '$argon2id$rehashed')
    t.equal((await clients.find('billing'))?.secretHash, '$argon2id$rehashed')
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { repositoryCases(t, store) })
}
