import swagger from '@fastify/swagger'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth } from '../../index.js'
import { bearer } from '../helper.js'
import { accessClaims, signToken } from '../support/forge.js'
import { writeKeyPair, type KeyFiles } from './keys.js'
import { TOLLGATE_CLAIMS } from './running-tollgate.js'

/** The ledger: one route for calls through billing only, one open to any token that shows who acts. */
async function ledger (t: Test, key: KeyFiles) {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(swagger, {
    openapi: {
      info: { title: 'ledger', version: '1' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://tollgate.test/auth/token', scopes: {} } } }
        }
      }
    }
  })
  await app.register(tollgateAuth, { ...TOLLGATE_CLAIMS, publicKey: key.publicPem, algorithm: 'ES256' })
  app.get('/entries', { config: { auth: { actors: ['billing'] } } }, async (request) => ({ sub: request.user.sub, act: request.user.act }))
  app.get('/whoami', { config: { auth: true } }, async (request) => ({ act: request.user.act ?? null }))
  await app.ready()
  return app
}

t.test('a route naming its actors takes delegated tokens whose current actor is one of them, and refuses the rest with 403', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const app = await ledger(t, key)
  const token = (claims: Record<string, unknown>) => signToken(accessClaims(claims), { kid: key.kid }, { alg: 'ES256', privatePem: key.privatePem })
  const entries = (claims: Record<string, unknown>) => app.inject({ url: '/entries', headers: bearer(token(claims)) })

  const throughBilling = await entries({ sub: 'alice', act: { sub: 'billing', act: { sub: 'gateway' } } })
  t.equal(throughBilling.statusCode, 200)
  t.same(throughBilling.json(), { sub: 'alice', act: { sub: 'billing', act: { sub: 'gateway' } } }, 'request.user.act, nested as issued')

  // Only the current actor counts: billing further down the chain does not make gateway's call billing's.
  for (const claims of [{ act: { sub: 'gateway', act: { sub: 'billing' } } }, { act: { sub: 'gateway' } }, {}, { sub: 'billing', client_id: 'billing' }]) {
    const refused = await entries(claims)
    t.equal(refused.statusCode, 403, JSON.stringify(claims))
    t.match(refused.json(), { code: 'ERR_FORBIDDEN', message: 'This action takes only calls made on a user\'s behalf through: billing' })
  }

  const plain = await app.inject({ url: '/whoami', headers: bearer(token({})) })
  t.same(plain.json(), { act: null }, 'a token with no actor has none')
})

t.test('an act claim that is not an actor chain, or one past five actors, is refused as a malformed token', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const app = await ledger(t, key)
  let deep: Record<string, unknown> = { sub: 'a0' }
  for (let depth = 1; depth < 6; depth++) deep = { sub: `a${depth}`, act: deep }
  for (const act of [{ sub: 1 }, 'billing', ['billing'], null, { act: { sub: 'gateway' } }, { sub: 'billing', act: 'gateway' }, deep]) {
    const token = signToken(accessClaims({ act }), { kid: key.kid }, { alg: 'ES256', privatePem: key.privatePem })
    t.equal((await app.inject({ url: '/whoami', headers: bearer(token) })).statusCode, 401, JSON.stringify(act))
  }
})

t.test('actors must be a list of client ids, or the route is refused before the app starts', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const app = Fastify()
  t.after(() => app.close())
  await app.register(tollgateAuth, { ...TOLLGATE_CLAIMS, publicKey: key.publicPem, algorithm: 'ES256' })
  t.throws(() => app.get('/entries', { config: { auth: { actors: 'billing' as unknown as string[] } } }, async () => ({})), /actors\?: string\[\]/)
})

t.test('the OpenAPI document gives a route naming actors its security and its 403', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const app = await ledger(t, key)
  const document = app.swagger() as unknown as { paths: Record<string, Record<string, { security: unknown, responses: Record<string, { description: string }> }>> }
  const operation = document.paths['/entries']?.get
  t.same(operation?.security, [{ bearerAuth: [] }, { oauth2: [] }])
  t.match(operation?.responses['403']?.description, /not one a token exchange issued to billing/)
  t.notOk(document.paths['/whoami']?.get?.responses['403'], 'a route checking nothing but the token has no 403')
})
