import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, type TestUser } from '../../helper.js'
import { decodeJwt } from '../../support/forge.js'
import { stores } from '../../support/stores.js'

interface Pair { access_token: string, refresh_token: string }

async function loginPair (app: FastifyInstance, user: TestUser): Promise<Pair> {
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })
  return response.json()
}

const refresh = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: token } })

const me = async (app: FastifyInstance, token: string) => (await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode

for (const store of stores) {
  t.test(`refresh tokens on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const app = await build(t, env, options)
    const alice = await createUser(app, 'alice', ['reader'])

    t.test('login hands out an opaque 256-bit refresh token, stored only as a hash', async (t) => {
      const pair = await loginPair(app, alice)
      t.match(pair.refresh_token, /^[A-Za-z0-9_-]{43}$/)
      const stored = await app.db.selectFrom('refresh_tokens').select('token_hash').execute()
      const hashes = stored.map((row) => row.token_hash)
      t.notOk(hashes.includes(pair.refresh_token), 'the token itself is never stored')
      t.ok(hashes.includes(createHash('sha256').update(pair.refresh_token).digest('hex')))
    })

    t.test('a refresh rotates: new pair, old refresh token spent, claims carry the same session', async (t) => {
      const first = await loginPair(app, alice)
      const response = await refresh(app, first.refresh_token)
      t.equal(response.statusCode, 200)
      t.equal(response.headers['cache-control'], 'no-store')
      const second: Pair = response.json()
      t.not(second.refresh_token, first.refresh_token)
      t.equal(await me(app, second.access_token), 200)
      t.equal(decodeJwt(second.access_token).payload.sid, decodeJwt(first.access_token).payload.sid)
    })

    t.test('presenting a spent refresh token revokes the whole family', async (t) => {
      const first = await loginPair(app, alice)
      const second: Pair = (await refresh(app, first.refresh_token)).json()
      const other = await loginPair(app, alice)

      const reuse = await refresh(app, first.refresh_token)
      t.equal(reuse.statusCode, 401)
      t.equal(await me(app, second.access_token), 401, 'the family\'s newest access token is refused')
      t.equal(await me(app, first.access_token), 401, 'and its first one')
      t.equal((await refresh(app, second.refresh_token)).statusCode, 401, 'and its newest refresh token')
      t.equal(await me(app, other.access_token), 200, 'another login of the same user is untouched')
      t.equal((await refresh(app, other.refresh_token)).statusCode, 200)
    })

    t.test('of concurrent refreshes with one token exactly one succeeds', async (t) => {
      const pair = await loginPair(app, alice)
      const answers = await Promise.all(Array.from({ length: 8 }, () => refresh(app, pair.refresh_token)))
      t.equal(answers.filter((answer) => answer.statusCode === 200).length, 1)
      t.equal(answers.filter((answer) => answer.statusCode === 401).length, 7)
    })

    t.test('an expired refresh token is refused', async (t) => {
      const pair = await loginPair(app, alice)
      await app.db.updateTable('refresh_tokens').set({ expires_at: Date.now() - 1 })
        .where('token_hash', '=', createHash('sha256').update(pair.refresh_token).digest('hex')).execute()
      t.equal((await refresh(app, pair.refresh_token)).statusCode, 401)
    })

    t.test('the token endpoint rotates too, and answers invalid_grant for a bad token', async (t) => {
      const pair = await loginPair(app, alice)
      const ok = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'refresh_token', refresh_token: pair.refresh_token } })
      t.equal(ok.statusCode, 200)
      t.ok(ok.json().refresh_token)
      const spent = await app.inject({ method: 'POST', url: '/auth/token', payload: `grant_type=refresh_token&refresh_token=${pair.refresh_token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      t.equal(spent.statusCode, 400)
      t.equal(spent.json().error, 'invalid_grant')
      const missing = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'refresh_token' } })
      t.equal(missing.json().error, 'invalid_request')
    })

    t.test('unknown, empty and oversized refresh tokens are refused without a 5xx', async (t) => {
      t.equal((await refresh(app, 'not-a-token')).statusCode, 401)
      t.equal((await refresh(app, '')).statusCode, 400)
      t.equal((await refresh(app, 'x'.repeat(10_000))).statusCode, 400)
      t.equal((await app.inject({ method: 'POST', url: '/auth/refresh', payload: {} })).statusCode, 400)
    })

    t.test('a refresh token presented as a Bearer token is refused', async (t) => {
      const pair = await loginPair(app, alice)
      t.equal(await me(app, pair.refresh_token), 401)
    })

    t.test('disabling a user, changing their roles or their password ends their refresh families', async (t) => {
      const bob = await createUser(app, `bob-${Math.random()}`, ['reader'])
      for (const change of [
        () => app.accounts.setRoles(bob.id, ['writer']),
        () => app.accounts.setPassword(bob.id, bob.password),
        () => app.accounts.setDisabled(bob.id, true)
      ]) {
        const pair = await loginPair(app, bob)
        await change()
        t.equal((await refresh(app, pair.refresh_token)).statusCode, 401)
        t.equal(await me(app, pair.access_token), 401)
      }
    })
  })
}
