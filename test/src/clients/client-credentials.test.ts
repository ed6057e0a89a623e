import argon2 from 'argon2'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import type { PasswordHasher } from '../../../src/passwords/password-hasher.js'
import type { ClientGrantRequest } from '../../../src/clients/client-credentials.js'
import { hashClientSecret } from '../../../src/clients/client-secrets.js'
import { createClientsService } from '../../../src/clients/clients-service.js'
import { build } from '../../helper.js'

const SECRET = /^[A-Za-z0-9_-]{43}$/

async function setup (t: Test) {
  const app = await build(t)
  return { app, admin: app.clients.administration }
}

/** The claims of a granted token, as the verifier sees them. */
async function claimsOf (app: FastifyInstance, token: string): Promise<AccessClaims> {
  return app.tokens.verify(token)
}

const withSecret = (id: string, secret: string, scope?: string): ClientGrantRequest =>
  ({ proof: { method: 'client_secret_post', id, secret }, ...(scope === undefined ? {} : { scope }) })

async function tokenFor (app: FastifyInstance, clientId: string, secret: string, scope?: string): Promise<string> {
  const result = await app.clients.credentials.grant(withSecret(clientId, secret, scope))
  if (!result.ok) throw new Error(`grant refused: ${result.error.message}`)
  return result.value.response.access_token
}

t.test('the grant gives a token whose subject is the client, with the scopes asked for out of those allowed', async (t) => {
  const { app, admin } = await setup(t)
  const { client, secret = '' } = await admin.add('billing', { scopes: ['users:read', 'reports:write'] })
  t.match(secret, SECRET)
  t.same(client.scopes, ['users:read', 'reports:write'])

  const all = await app.clients.credentials.grant(withSecret('billing', secret))
  t.ok(all.ok)
  if (!all.ok) return
  t.equal(all.value.clientId, 'billing')
  t.match(all.value.response, { token_type: 'Bearer', expires_in: 900, scope: 'users:read reports:write' })
  t.notOk('refresh_token' in all.value.response, 'a client can always ask again')
  t.match(await claimsOf(app, all.value.response.access_token), { sub: 'billing', client_id: 'billing', roles: [], scope: 'users:read reports:write', aud: 'tollgate-api' })

  t.match(await claimsOf(app, await tokenFor(app, 'billing', secret, ' reports:write  reports:write ')), { scope: 'reports:write' })
  const refused = await app.clients.credentials.grant(withSecret('billing', secret, 'users:read users:write admin'))
  t.match(refused, { ok: false, error: { code: 'ERR_INVALID_SCOPE', oauthError: 'invalid_scope', message: 'The client may not request: users:write admin' } })

  const { secret: bare = '' } = await admin.add('mailer', {})
  const none = await app.clients.credentials.grant(withSecret('mailer', bare))
  t.ok(none.ok && !('scope' in none.value.response), 'no scopes: no scope member')
})

t.test('a secret is stored as its SHA-256, never as itself', async (t) => {
  const { app, admin } = await setup(t)
  const { secret = '' } = await admin.add('billing', {})
  const stored = (await app.clients.repository.find('billing'))?.secretHash
  t.equal(stored, hashClientSecret(secret))
  t.match(stored, /^sha256:[A-Za-z0-9_-]{43}$/)
})

t.test('an unknown client, a wrong secret and a disabled client get the same answer', async (t) => {
  const { app, admin } = await setup(t)
  const { secret = '' } = await admin.add('billing', {})
  const { secret: other = '' } = await admin.add('audit', {})
  const { secret: retired = '' } = await admin.add('retired', {})
  t.equal(await admin.disable('retired'), true)
  const answers = [
    await app.clients.credentials.grant(withSecret('nobody', secret)),
    await app.clients.credentials.grant(withSecret('billing', other)),
    await app.clients.credentials.grant(withSecret('billing', '')),
    await app.clients.credentials.grant(withSecret('retired', retired))
  ]
  for (const answer of answers) t.match(answer, { ok: false, error: { code: 'ERR_INVALID_CLIENT', oauthError: 'invalid_client', message: 'Client authentication failed' } })
  t.same(answers.map((answer) => !answer.ok && answer.error.reason), ['secret', 'secret', 'secret', 'disabled'], 'only the audit log says why')
  t.match(await app.clients.credentials.authenticate({ method: 'client_secret_basic', id: 'billing', secret }), { ok: true, value: { id: 'billing' } })
})

t.test('an argon2 hash from before still verifies, and is replaced by a SHA-256 at the first grant', async (t) => {
  const { app } = await setup(t)
  const secret = 'an-old-secret-from-before-sha256'
  const legacy = await argon2.hash(secret, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })
  await app.clients.repository.create({ id: 'legacy', secretHash: legacy, scopes: [] })

  t.match(await app.clients.credentials.grant(withSecret('legacy', 'not-the-secret')), { ok: false, error: { code: 'ERR_INVALID_CLIENT' } })
  t.equal((await app.clients.repository.find('legacy'))?.secretHash, legacy, 'a wrong secret changes nothing')

  await tokenFor(app, 'legacy', secret)
  t.equal((await app.clients.repository.find('legacy'))?.secretHash, hashClientSecret(secret), 'stored as SHA-256 from now on')
  await tokenFor(app, 'legacy', secret)
  t.match(await app.clients.credentials.grant(withSecret('legacy', 'not-the-secret')), { ok: false, error: { code: 'ERR_INVALID_CLIENT' } })
})

t.test('a grant with a SHA-256 secret never calls the password hasher', async (t) => {
  const app = await build(t)
  const untouchable: PasswordHasher = {
    hash: async () => { throw new Error('hash called') },
    verify: async () => { throw new Error('verify called') },
    queue: () => { throw new Error('queue called') }
  }
  const service = createClientsService({
    db: app.db,
    passwords: untouchable,
    tokens: app.tokens,
    revocations: app.revocations.list,
    revocationStore: app.revocations.store,
    defaultAudience: 'tollgate-api',
    assertionAudiences: ['tollgate'],
    onError: (error: unknown) => { throw error }
  })
  const { secret = '' } = await service.administration.add('billing', {})
  t.match(await service.credentials.grant(withSecret('billing', secret)), { ok: true })
  t.match(await service.credentials.grant(withSecret('billing', 'wrong')), { ok: false, error: { code: 'ERR_INVALID_CLIENT' } })
  t.match(await service.credentials.grant(withSecret('nobody', 'wrong')), { ok: false, error: { code: 'ERR_INVALID_CLIENT' } })
})

t.test('disable ends the client\'s tokens; enable lets it get new ones, which are not ended', async (t) => {
  const { app, admin } = await setup(t)
  const { secret = '' } = await admin.add('billing', {})
  const held = await claimsOf(app, await tokenFor(app, 'billing', secret))

  t.equal(await admin.disable('billing'), true)
  t.equal(app.revocations.list.isRevoked(held), true, 'the token it held is refused')
  t.match(await app.clients.repository.find('billing'), { disabled: true })

  t.equal(await admin.enable('billing'), true)
  const fresh = await claimsOf(app, await tokenFor(app, 'billing', secret))
  t.equal(app.revocations.list.isRevoked(fresh), false)
  t.equal(app.revocations.list.isRevoked(held), true, 'the old token stays refused')
  t.equal(await admin.enable('billing'), true, 'enabling an enabled client is harmless')

  t.equal(await admin.disable('nobody'), false)
  t.equal(await admin.enable('nobody'), false)
})

t.test('rotateSecret gives a new secret at once refusing the old one and its tokens', async (t) => {
  const { app, admin } = await setup(t)
  const { secret: old = '' } = await admin.add('billing', { scopes: ['users:read'] })
  const held = await claimsOf(app, await tokenFor(app, 'billing', old))

  const secret = await admin.rotateSecret('billing')
  t.match(secret, SECRET)
  t.not(secret, old)
  t.match(await app.clients.credentials.grant(withSecret('billing', old)), { ok: false, error: { code: 'ERR_INVALID_CLIENT' } })
  t.equal(app.revocations.list.isRevoked(held), true)

  const fresh = await claimsOf(app, await tokenFor(app, 'billing', secret ?? ''))
  t.equal(app.revocations.list.isRevoked(fresh), false, 'a token got with the new secret is not ended by the rotation')
  t.equal(fresh.scope, 'users:read', 'the scopes are kept')
  t.equal(await admin.rotateSecret('nobody'), undefined)
})
