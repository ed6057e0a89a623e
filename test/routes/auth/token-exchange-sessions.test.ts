import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, type TestUser } from '../../helper.js'
import { decodeJwt } from '../../support/forge.js'
import { loginPair } from '../../support/sessions.js'
import { basic, BILLING, chainClients, exchange, exchanged, LEDGER } from '../../support/token-exchange.js'

interface Chain { user: string, toBilling: string, toLedger: string }

/** A login, and the two delegated tokens the gateway and billing make from it. */
async function delegate (app: FastifyInstance, secrets: Record<'gateway' | 'billing', string>, user: TestUser): Promise<Chain> {
  const { access_token: token } = await loginPair(app, user)
  const toBilling = await exchanged(app, { id: 'gateway', secret: secrets.gateway }, token, { resource: BILLING })
  const toLedger = await exchanged(app, { id: 'billing', secret: secrets.billing }, toBilling, { resource: LEDGER })
  return { user: token, toBilling, toLedger }
}

const live = async (app: FastifyInstance, token: string): Promise<boolean> => (await app.oauth.introspection.introspect(token)).active

t.test('every way a session ends ends the tokens exchanged from it, and nothing else', async (t) => {
  const app = await build(t)
  const secrets = await chainClients(app)
  const ways: Array<[string, (user: TestUser, chain: Chain) => Promise<unknown>]> = [
    ['logout', async (_, chain) => app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(chain.user) })],
    ['logout-all', async (_, chain) => app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(chain.user) })],
    ['deleting the session', async (_, chain) => app.inject({ method: 'DELETE', url: `/users/me/sessions/${decodeJwt(chain.user).payload.sid as string}`, headers: bearer(chain.user) })],
    ['an administrator\'s password reset', async (user) => app.accounts.setPassword(user.id, 'an entirely new passphrase 42')],
    ['disabling the user', async (user) => app.accounts.setDisabled(user.id, true)],
    ['deleting the user', async (user) => app.accounts.remove(user.id)]
  ]
  for (const [index, [way, end]] of ways.entries()) {
    const user = await createUser(app, `user${index}`)
    const bystander = await createUser(app, `bystander${index}`)
    const chain = await delegate(app, secrets, user)
    const other = await delegate(app, secrets, bystander)
    for (const token of Object.values(chain)) t.ok(await live(app, token), `${way}: live before`)
    await end(user, chain)
    for (const [hop, token] of Object.entries(chain)) t.notOk(await live(app, token), `${way}: the ${hop} token ended`)
    const again = await exchange(app, { id: 'billing', secret: secrets.billing }, chain.toBilling, { resource: LEDGER })
    t.equal(again.json().error, 'invalid_grant', `${way}: it can no longer be exchanged`)
    for (const token of Object.values(other)) t.ok(await live(app, token), `${way}: another user's chain goes on`)
  }
})

t.test('introspection shows who acts, nested', async (t) => {
  const app = await build(t)
  const secrets = await chainClients(app)
  const { secret = '' } = await app.clients.administration.add('auditor', { permissions: ['introspect'] })
  const chain = await delegate(app, secrets, await createUser(app))
  const response = await app.inject({
    method: 'POST',
    url: '/auth/introspect',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('auditor', secret) },
    payload: new URLSearchParams({ token: chain.toLedger }).toString()
  })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { active: true, aud: LEDGER, client_id: 'billing', act: { sub: 'billing', act: { sub: 'gateway' } } })
})
