import t, { type Test } from 'tap'
import type { Environment } from '../../src/config/environment.js'
import { parseClientKey } from '../../src/clients/client-keys.js'
import { eventually } from '../faults/instances.js'
import { build } from '../helper.js'
import { assertion, clientKeyPair, tokenRequest, withAssertion, type ClientKeyPair } from '../support/client-assertions.js'
import { freshRedisPrefix, sqlite, stores, REDIS_URL } from '../support/stores.js'

/** Nothing in a test arrives by polling or by hearing of the store's changes: what arrives came through Redis. */
const NO_POLLING = { databaseSyncMs: 600_000, watchStoreChanges: false }

async function keyClient (t: Test, env: Environment, options = {}, key?: ClientKeyPair) {
  const app = await build(t, env, options)
  const clientKey = key ?? await clientKeyPair()
  if (await app.clients.repository.find('billing') === undefined) await app.clients.administration.add('billing', { key: parseClientKey(clientKey.publicPem) })
  return { app, key: clientKey }
}

t.test('an assertion accepted by one instance is refused by another sharing Redis, though their databases differ', async (t) => {
  const prefix = await freshRedisPrefix(t)
  const a = await keyClient(t, { ...(await sqlite.setup(t)).env, REDIS_URL, REDIS_PREFIX: prefix })
  const b = await keyClient(t, { ...(await sqlite.setup(t)).env, REDIS_URL, REDIS_PREFIX: prefix }, {}, a.key)
  const made = await assertion(a.key, 'billing')
  t.equal((await tokenRequest(a.app, withAssertion(made))).statusCode, 200)
  const replay = await tokenRequest(b.app, withAssertion(made))
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().error, 'invalid_client')
  t.equal((await tokenRequest(b.app, withAssertion(await assertion(a.key, 'billing')))).statusCode, 200, 'a fresh assertion passes on either')
})

for (const store of stores) {
  t.test(`without Redis, instances sharing ${store.name} refuse a replay through the database`, async (t) => {
    const { env, options } = await store.setup(t)
    const a = await keyClient(t, env, options)
    const b = await keyClient(t, env, options, a.key)
    const made = await assertion(a.key, 'billing')
    t.equal((await tokenRequest(a.app, withAssertion(made))).statusCode, 200)
    t.equal((await tokenRequest(b.app, withAssertion(made))).statusCode, 401, 'on the other instance')
    t.equal((await tokenRequest(a.app, withAssertion(made))).statusCode, 401, 'and on the same one')
  })
}

t.test('with Redis unreachable, jtis are recorded in the database instead and a replay is still refused', async (t) => {
  const { env } = await sqlite.setup(t)
  const unreachable = { ...env, REDIS_URL: 'redis://127.0.0.1:9', REDIS_PREFIX: await freshRedisPrefix(t) }
  const a = await keyClient(t, unreachable)
  const b = await keyClient(t, unreachable, {}, a.key)
  const made = await assertion(a.key, 'billing')
  t.equal((await tokenRequest(a.app, withAssertion(made))).statusCode, 200, 'accepted while Redis is down')
  t.equal((await tokenRequest(b.app, withAssertion(made))).statusCode, 401)
})

t.test('a client change made on one instance reaches the others through Redis at once', async (t) => {
  const prefix = await freshRedisPrefix(t)
  const { env } = await sqlite.setup(t)
  const shared = { ...env, REDIS_URL, REDIS_PREFIX: prefix }
  const a = await build(t, shared, NO_POLLING)
  const b = await build(t, shared, NO_POLLING)
  const { secret = '' } = await a.clients.administration.add('billing', { scopes: ['users:read'] })
  const grant = (app: typeof a, clientSecret: string, fields: Record<string, string> = {}) =>
    tokenRequest(app, { grant_type: 'client_credentials', client_id: 'billing', client_secret: clientSecret, ...fields })
  const statusOn = async (app: typeof a, clientSecret: string, fields: Record<string, string> = {}) => (await grant(app, clientSecret, fields)).statusCode

  t.ok(await eventually(async () => await statusOn(b, secret) === 200, 1000), 'a new client is known everywhere')
  await a.clients.administration.disable('billing')
  t.ok(await eventually(async () => await statusOn(b, secret) === 401, 1000), 'a disabled client is refused everywhere')
  await a.clients.administration.enable('billing')
  t.ok(await eventually(async () => await statusOn(b, secret) === 200, 1000), 'and let back in')

  const rotated = await a.clients.administration.rotateSecret('billing') ?? ''
  t.ok(await eventually(async () => await statusOn(b, secret) === 401 && await statusOn(b, rotated) === 200, 1000), 'a rotated secret')
  await a.clients.administration.update('billing', { audiences: ['https://billing.internal'], tokenTtl: 120 })
  t.ok(await eventually(async () => (await grant(b, rotated, { resource: 'https://billing.internal' })).json().expires_in === 120, 1000),
    'new audiences and lifetime')
})

t.test('without Redis, a change whose commit was not heard of arrives with the next poll', async (t) => {
  const { env } = await sqlite.setup(t)
  const server = await build(t, env, { databaseSyncMs: 50, watchStoreChanges: false })
  const cli = await build(t, env, NO_POLLING)
  const { secret = '' } = await cli.clients.administration.add('billing', {})
  const statusOn = async () => (await tokenRequest(server, { grant_type: 'client_credentials', client_id: 'billing', client_secret: secret })).statusCode
  t.ok(await eventually(async () => await statusOn() === 200, 2000), 'the new client')
  await cli.clients.administration.disable('billing')
  t.ok(await eventually(async () => await statusOn() === 401, 2000), 'its disabling')
  // Two writes in one millisecond are two versions: the second is not mistaken for one already seen.
  await cli.clients.repository.update('billing', { disabled: false })
  await cli.clients.repository.update('billing', { scopes: ['a'] })
  t.ok(await eventually(async () => (await tokenRequest(server, { grant_type: 'client_credentials', client_id: 'billing', client_secret: secret })).json().scope === 'a', 2000))
})
