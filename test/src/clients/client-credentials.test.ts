import argon2 from 'argon2'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { AccessClaims } from '../../../src/auth/claims.js'
import { createClientAdministration } from '../../../src/clients/client-credentials.js'
import { build } from '../../helper.js'

const SECRET = /^[A-Za-z0-9_-]{43}$/

async function setup (t: Test) {
  const app = await build(t)
  const admin = createClientAdministration({
    clients: app.clients, passwords: app.passwords, revocations: app.revocations, revocationStore: app.revocationStore
  })
  return { app, admin }
}

/** The claims of a granted token, as the verifier sees them. */
async function claimsOf (app: FastifyInstance, token: string): Promise<AccessClaims> {
  return app.tokens.verify(token)
}

async function tokenFor (app: FastifyInstance, clientId: string, secret: string, scope?: string): Promise<string> {
  const result = await app.clientCredentials.grant(clientId, secret, scope)
  if (!result.ok) throw new Error(`grant refused: ${result.error.message}`)
  return result.value.access_token
}

t.test('the grant gives a token whose subject is the client, with the scopes asked for out of those allowed', async (t) => {
  const { app, admin } = await setup(t)
  const { client, secret } = await admin.add('billing', ['users:read', 'reports:write'])
  t.match(secret, SECRET)
  t.same(client.scopes, ['users:read', 'reports:write'])

  const all = await app.clientCredentials.grant('billing', secret, undefined)
  t.ok(all.ok)
  if (!all.ok) return
  t.match(all.value, { token_type: 'Bearer', expires_in: 900, scope: 'users:read reports:write' })
  t.notOk('refresh_token' in all.value, 'a client can always ask again')
  t.match(await claimsOf(app, all.value.access_token), { sub: 'billing', client_id: 'billing', roles: [], scope: 'users:read reports:write' })

  t.match(await claimsOf(app, await tokenFor(app, 'billing', secret, ' reports:write  reports:write ')), { scope: 'reports:write' })
  const refused = await app.clientCredentials.grant('billing', secret, 'users:read users:write admin')
  t.match(refused, { ok: false, error: { code: 'ERR_INVALID_SCOPE', oauthError: 'invalid_scope', message: 'The client may not request: users:write admin' } })

  const { secret: bare } = await admin.add('mailer', [])
  const none = await app.clientCredentials.grant('mailer', bare, undefined)
  t.ok(none.ok && !('scope' in none.value), 'no scopes: no scope member')
})

t.test('an unknown client, a wrong secret and a disabled client get the same answer', async (t) => {
  const { app, admin } = await setup(t)
  const { secret } = await admin.add('billing', [])
  const { secret: other } = await admin.add('audit', [])
  await admin.add('retired', [])
  t.equal(await admin.disable('retired'), true)
  const answers = [
    await app.clientCredentials.grant('nobody', secret, undefined),
    await app.clientCredentials.grant('billing', other, undefined),
    await app.clientCredentials.grant('billing', '', undefined),
    await app.clientCredentials.grant('retired', secret, undefined)
  ]
  for (const answer of answers) t.match(answer, { ok: false, error: { code: 'ERR_INVALID_CLIENT', oauthError: 'invalid_client', message: 'Client authentication failed' } })
  t.equal(new Set(answers.map((answer) => !answer.ok && answer.error)).size, 1, 'one and the same refusal')
  t.equal(await app.clientCredentials.checkSecret('billing', secret).then((client) => client?.id), 'billing')
  t.notOk('secretHash' in (await app.clientCredentials.checkSecret('billing', secret) ?? {}), 'the hash is not handed out')
})

t.test('a secret hashed with weaker settings is rehashed when it is next used', async (t) => {
  const { app } = await setup(t)
  const secret = 'an-old-secret-from-before-the-settings-changed'
  const weak = await argon2.hash(secret, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })
  await app.clients.create({ id: 'legacy', secretHash: weak, scopes: [] })
  await tokenFor(app, 'legacy', secret)
  const stored = (await app.clients.find('legacy'))?.secretHash ?? ''
  t.not(stored, weak)
  t.notOk(argon2.needsRehash(stored, { memoryCost: 19_456, timeCost: 2, parallelism: 1 }), 'stored with the current settings')
  await tokenFor(app, 'legacy', secret)
})

t.test('disable ends the client\'s tokens; enable lets it get new ones, which are not ended', async (t) => {
  const { app, admin } = await setup(t)
  const { secret } = await admin.add('billing', [])
  const held = await claimsOf(app, await tokenFor(app, 'billing', secret))

  t.equal(await admin.disable('billing'), true)
  t.equal(app.revocations.isRevoked(held), true, 'the token it held is refused')
  t.match(await app.clients.find('billing'), { disabled: true })

  t.equal(await admin.enable('billing'), true)
  const fresh = await claimsOf(app, await tokenFor(app, 'billing', secret))
  t.equal(app.revocations.isRevoked(fresh), false)
  t.equal(app.revocations.isRevoked(held), true, 'the old token stays refused')
  t.equal(await admin.enable('billing'), true, 'enabling an enabled client is harmless')

  t.equal(await admin.disable('nobody'), false)
  t.equal(await admin.enable('nobody'), false)
})

t.test('rotateSecret gives a new secret at once refusing the old one and its tokens', async (t) => {
  const { app, admin } = await setup(t)
  const { secret: old } = await admin.add('billing', ['users:read'])
  const held = await claimsOf(app, await tokenFor(app, 'billing', old))

  const secret = await admin.rotateSecret('billing')
  t.match(secret, SECRET)
  t.not(secret, old)
  t.match(await app.clientCredentials.grant('billing', old, undefined), { ok: false, error: { code: 'ERR_INVALID_CLIENT' } })
  t.equal(app.revocations.isRevoked(held), true)

  const fresh = await claimsOf(app, await tokenFor(app, 'billing', secret ?? ''))
  t.equal(app.revocations.isRevoked(fresh), false, 'a token got with the new secret is not ended by the rotation')
  t.equal(fresh.scope, 'users:read', 'the scopes are kept')
  t.equal(await admin.rotateSecret('nobody'), undefined)
})
