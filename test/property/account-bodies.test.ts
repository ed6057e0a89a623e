import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { bearer, build, createUser, login } from '../helper.js'
import { expectJsonAnswer, JSON_TYPE } from './json-answer.js'

// Fixed seeds keep failures reproducible. A body that passes validation costs argon2 work (a verification,
// a hash) and, the first time, loading the breached-password list, so these run fewer cases than the others.
const SEED = 20_260_112
const RUNS = 60

const PASSWORD = 'correct horse battery staple'

// Near the real shape, with values of any type: the policy's edges (lengths 7 to 9 and 128 to 129, listed
// passwords, the username) alongside noise.
const passwords = fc.oneof(
  fc.constantFrom(PASSWORD, 'password1', 'PASSWORD1', 'alice-the-user', 'seven77', 'eight888', 'x'.repeat(128), 'x'.repeat(129), ''),
  fc.string({ maxLength: 140 }),
  fc.string({ unit: 'grapheme', minLength: 6, maxLength: 12 }),
  fc.jsonValue()
)
const usernames = fc.oneof(fc.constantFrom('alice', 'ALICE', ' bob', 'b\u0000b', '\uFDFA'.repeat(4)), fc.string({ maxLength: 80 }), fc.jsonValue())
const roles = fc.oneof(fc.array(fc.oneof(fc.constantFrom('reader', 'admin'), fc.string({ maxLength: 70 })), { maxLength: 40 }), fc.jsonValue())

const bodies = {
  change: fc.oneof(fc.record({ current_password: passwords, new_password: passwords }, { requiredKeys: [] }), fc.jsonValue()),
  create: fc.oneof(fc.record({ username: usernames, password: passwords, roles, disabled: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
  reset: fc.oneof(fc.record({ password: passwords, extra: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue())
}

// Path ids: UUIDs nobody has, and anything at all, encoded so it stays one segment.
const ids = fc.oneof(fc.uuid(), fc.string({ maxLength: 60 }).map(encodeURIComponent), fc.string({ unit: 'binary', maxLength: 60 }).map(encodeURIComponent))

async function setup (t: Test): Promise<{ app: FastifyInstance, user: string, admin: string, aliceId: string }> {
  const app = await build(t)
  const alice = await createUser(app, 'alice-the-user')
  const root = await createUser(app, 'root', ['admin'])
  return { app, user: await login(app, alice), admin: await login(app, root), aliceId: alice.id }
}

const cases: Array<{ name: string, body: fc.Arbitrary<unknown>, request: (ctx: Awaited<ReturnType<typeof setup>>) => { method: 'POST' | 'PUT', url: string, token: string } }> = [
  { name: 'POST /users/me/password', body: bodies.change, request: ({ user }) => ({ method: 'POST', url: '/users/me/password', token: user }) },
  { name: 'POST /admin/users', body: bodies.create, request: ({ admin }) => ({ method: 'POST', url: '/admin/users', token: admin }) },
  { name: 'PUT /admin/users/:id/password', body: bodies.reset, request: ({ admin, aliceId }) => ({ method: 'PUT', url: `/admin/users/${aliceId}/password`, token: admin }) }
]

for (const { name, body, request } of cases) {
  t.test(`${name}: any JSON body gets a JSON answer, never a 5xx`, async (t) => {
    const ctx = await setup(t)
    const { method, url, token } = request(ctx)
    await fc.assert(fc.asyncProperty(body, async (sent) => {
      const response = await ctx.app.inject({ method, url, headers: { ...bearer(token), 'content-type': JSON_TYPE }, payload: JSON.stringify(sent) })
      return expectJsonAnswer(response, sent, { emptyOk: response.statusCode === 204 })
    }), { numRuns: RUNS, seed: SEED })
    t.pass(`${RUNS} bodies`)
  })
}

t.test('any id in the account paths gets a clear answer, never a 5xx', async (t) => {
  const { app, user, admin } = await setup(t)
  const paths = fc.tuple(ids, fc.constantFrom(
    { method: 'DELETE' as const, path: (id: string) => `/users/me/sessions/${id}`, token: user },
    { method: 'DELETE' as const, path: (id: string) => `/admin/sessions/${id}`, token: admin },
    { method: 'GET' as const, path: (id: string) => `/admin/users/${id}/sessions`, token: admin },
    { method: 'DELETE' as const, path: (id: string) => `/admin/users/${id}`, token: admin },
    { method: 'PUT' as const, path: (id: string) => `/admin/users/${id}/password`, token: admin }
  ))
  await fc.assert(fc.asyncProperty(paths, async ([id, { method, path, token }]) => {
    const response = await app.inject({ method, url: path(id), headers: bearer(token), ...(method === 'PUT' ? { payload: { password: PASSWORD } } : {}) })
    if (![200, 204, 400, 404].includes(response.statusCode)) throw new Error(`${response.statusCode} for ${method} ${path(id)}: ${response.body}`)
    return expectJsonAnswer(response, id, { emptyOk: response.statusCode === 204 })
  }), { numRuns: 300, seed: SEED })
  t.pass('300 ids')
})
