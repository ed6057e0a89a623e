import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build, createUser } from '../helper.js'
import { expectJsonAnswer, JSON_TYPE } from './json-answer.js'

// Fixed seeds keep failures reproducible. Logins that pass validation cost one argon2 verification each,
// so those properties run fewer cases.
const SEED = 20_260_102

const FORM_TYPE = 'application/x-www-form-urlencoded'

// Bodies near the real shape (the fields the routes read, with values of any type) find more than pure noise.
const credentialFields = fc.record({
  grant_type: fc.oneof(fc.constant('password'), fc.jsonValue()),
  username: fc.oneof(fc.constant('alice'), fc.string({ maxLength: 80 }), fc.jsonValue()),
  password: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue()),
  scope: fc.jsonValue(),
  refresh_token: fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue())
}, { requiredKeys: [] })

const jsonBodies = fc.oneof(fc.jsonValue(), credentialFields, fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue()))
const rawBodies = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json(), fc.string({ maxLength: 200 }).map((s) => `{${s}`))

const formBodies = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('grant_type', 'username', 'password', 'scope', 'refresh_token', '__proto__', 'x'), fc.string({ maxLength: 40 })), { maxLength: 8 })
    .map((pairs) => new URLSearchParams(pairs).toString()),
  fc.string({ unit: 'binary', maxLength: 200 })
)

async function setup (t: Test): Promise<FastifyInstance> {
  const app = await build(t)
  await createUser(app, 'alice')
  return app
}

for (const url of ['/auth/token', '/auth/login', '/auth/refresh']) {
  const runs = url === '/auth/login' ? 60 : 200

  t.test(`POST ${url}: any JSON value as the body gets a JSON answer, never a 5xx`, async (t) => {
    const app = await setup(t)
    await fc.assert(fc.asyncProperty(jsonBodies, async (body) => {
      const payload = JSON.stringify(body)
      return expectJsonAnswer(await app.inject({ method: 'POST', url, headers: { 'content-type': JSON_TYPE }, payload }), body)
    }), { numRuns: runs, seed: SEED })
    t.pass(`${runs} JSON bodies`)
  })

  t.test(`POST ${url}: any text sent as JSON gets a JSON answer, never a 5xx`, async (t) => {
    const app = await setup(t)
    await fc.assert(fc.asyncProperty(rawBodies, async (payload) =>
      expectJsonAnswer(await app.inject({ method: 'POST', url, headers: { 'content-type': JSON_TYPE }, payload }), payload)
    ), { numRuns: runs, seed: SEED })
    t.pass(`${runs} raw bodies`)
  })

  t.test(`POST ${url}: any form-encoded body gets a JSON answer, never a 5xx`, async (t) => {
    const app = await setup(t)
    await fc.assert(fc.asyncProperty(formBodies, async (payload) =>
      expectJsonAnswer(await app.inject({ method: 'POST', url, headers: { 'content-type': FORM_TYPE }, payload }), payload)
    ), { numRuns: runs, seed: SEED })
    t.pass(`${runs} form bodies`)
  })
}

// The route's RFC 6749 400 schema once turned these parser refusals into 500s (error_description missing).
t.test('a body the parser refuses on the token endpoint is a 400, not a server error', async (t) => {
  const app = await setup(t)
  for (const payload of ['{bad', '', '{"__proto__":{"admin":true}}']) {
    const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': JSON_TYPE }, payload })
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.match(response.json(), { statusCode: 400, message: String })
  }
})
