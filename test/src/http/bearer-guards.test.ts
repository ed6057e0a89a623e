import Fastify, { type FastifyInstance, type onRequestHookHandler } from 'fastify'
import t, { type Test } from 'tap'
import { createGuards, requirementOf, type GuardOptions } from '@tollgate/auth/http/bearer-guards'
import { sendError } from '@tollgate/auth/http/error-reply'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import { createTokenService } from '../../../src/tokens/token-service.js'
import { TEST_ISSUER } from '../../support/forge.js'
import { TEST_SECRET } from '../../support/modules.js'

const tokens = createTokenService({ algorithm: 'HS256', secret: TEST_SECRET, issuer: TEST_ISSUER, audience: 'tollgate-api', ttlSeconds: 900 })
const READER = tokens.issue({ id: 'alice', roles: ['reader'], scope: 'users:read reports:read' })

type Options = Partial<Omit<GuardOptions, 'deny'>>

/** A bare Fastify with one route a guard protects, answering the claims it let through. */
async function guarded (t: Test, guard: (guards: ReturnType<typeof createGuards>) => onRequestHookHandler | undefined, options: Options = {}): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  app.decorateRequest('user', null as unknown as AccessClaims)
  const guards = createGuards({ verifier: tokens, ...options, deny: (reply, error) => sendError(reply, error) })
  const onRequest = guard(guards)
  app.get('/', onRequest === undefined ? {} : { onRequest }, async (request) => request.user ?? { public: true })
  await app.ready()
  return app
}

const call = async (app: FastifyInstance, authorization?: string) => {
  const response = await app.inject({ url: '/', headers: authorization === undefined ? {} : { authorization } })
  return { status: response.statusCode, code: response.json().code as string | undefined, challenge: response.headers['www-authenticate'], body: response.json() }
}

t.test('authenticate lets a valid Bearer token through and sets request.user', async (t) => {
  const app = await guarded(t, (guards) => guards.authenticate)
  const answer = await call(app, `Bearer ${READER.token}`)
  t.equal(answer.status, 200)
  t.same(answer.body, READER.claims)
  t.equal((await call(app, `bearer ${READER.token}`)).status, 200, 'the scheme in any case (RFC 7235 §2.1)')
  t.equal((await call(app, `BEARER ${READER.token}`)).status, 200)
})

t.test('a missing or malformed Authorization header is ERR_TOKEN_MISSING with a bare challenge', async (t) => {
  const app = await guarded(t, (guards) => guards.authenticate)
  for (const header of [undefined, '', 'Bearer', 'Bearer ', `Basic ${READER.token}`, `Bearer ${READER.token} extra`, `Bearer  ${READER.token}`]) {
    const answer = await call(app, header)
    t.match(answer, { status: 401, code: 'ERR_TOKEN_MISSING', challenge: 'Bearer realm="tollgate"' }, JSON.stringify(header))
  }
})

t.test('an invalid token is refused with invalid_token', async (t) => {
  const app = await guarded(t, (guards) => guards.authenticate)
  const answer = await call(app, 'Bearer a.b.c')
  t.equal(answer.status, 401)
  t.match(answer.challenge, /^Bearer realm="tollgate", error="invalid_token"/)
})

t.test('a revoked token is ERR_TOKEN_REVOKED; revocation is asked on every request', async (t) => {
  let revoked = false
  const app = await guarded(t, (guards) => guards.authenticate, { isRevoked: (claims) => revoked && claims.jti === READER.claims.jti })
  t.equal((await call(app, `Bearer ${READER.token}`)).status, 200)
  revoked = true
  const answer = await call(app, `Bearer ${READER.token}`)
  t.match(answer, { status: 401, code: 'ERR_TOKEN_REVOKED', challenge: /error="invalid_token"/ }, 'even a token verified before')
})

t.test('while revocations are stale every token is refused with a 503', async (t) => {
  let stale = true
  const app = await guarded(t, (guards) => guards.authenticate, { isStale: () => stale, isRevoked: () => false })
  t.match(await call(app, `Bearer ${READER.token}`), { status: 503, code: 'ERR_REVOCATIONS_UNAVAILABLE' })
  t.match(await call(app), { status: 401, code: 'ERR_TOKEN_MISSING' }, 'a request without a token is still told so')
  stale = false
  t.equal((await call(app, `Bearer ${READER.token}`)).status, 200)
})

t.test('roles: one of them is enough; scopes: every one is needed', async (t) => {
  const roles = await guarded(t, (guards) => guards.guardFor({ roles: ['admin', 'reader'] }, { method: 'GET', url: '/' }))
  t.equal((await call(roles, `Bearer ${READER.token}`)).status, 200)
  const admin = await guarded(t, (guards) => guards.guardFor({ roles: ['admin'] }, { method: 'GET', url: '/' }))
  t.match(await call(admin, `Bearer ${READER.token}`), { status: 403, code: 'ERR_INSUFFICIENT_SCOPE', body: { message: 'This action needs one of the roles: admin' } })
  t.match(await call(admin), { status: 401, code: 'ERR_TOKEN_MISSING' }, 'no token is a 401, not a 403')

  const scopes = await guarded(t, (guards) => guards.guardFor({ scopes: ['users:read', 'reports:read'] }, { method: 'GET', url: '/' }))
  t.equal((await call(scopes, `Bearer ${READER.token}`)).status, 200)
  const more = await guarded(t, (guards) => guards.guardFor({ scopes: ['users:read', 'users:write'] }, { method: 'GET', url: '/' }))
  const refused = await call(more, `Bearer ${READER.token}`)
  t.match(refused, { status: 403, code: 'ERR_INSUFFICIENT_SCOPE', challenge: /error="insufficient_scope", scope="users:read users:write"/ })
  const prefix = tokens.issue({ id: 'bob', roles: [], scope: 'users:readwrite' })
  t.equal((await call(scopes, `Bearer ${prefix.token}`)).status, 403, 'a scope is matched whole, not as a prefix')
})

t.test('authorize alone, after another authentication, refuses a request without a user', async (t) => {
  const app = await guarded(t, (guards) => guards.authorize({ roles: ['reader'] }))
  t.match(await call(app, `Bearer ${READER.token}`), { status: 401, code: 'ERR_TOKEN_MISSING' }, 'nothing authenticated this request')
})

t.test('guardFor: public routes get none, `true` and an empty requirement get authenticate, a typo throws naming the route', async (t) => {
  const guards = createGuards({ verifier: tokens, deny: () => {} })
  const route = { method: 'GET', url: '/things' }
  t.equal(guards.guardFor(undefined, route), undefined)
  t.equal(guards.guardFor(false, route), undefined)
  t.equal(guards.guardFor(true, route), guards.authenticate)
  t.equal(guards.guardFor({}, route), guards.authenticate)
  t.equal(guards.guardFor({ roles: [], scopes: [] }, route), guards.authenticate)
  const requirement = { roles: ['admin'] }
  t.equal(guards.guardFor(requirement, route), guards.guardFor(requirement, route), 'built once a setting')
  for (const setting of ['true', 1, null, [], { role: ['admin'] }, { roles: 'admin' }, { scopes: [1] }]) {
    t.throws(() => guards.guardFor(setting, { method: ['GET', 'HEAD'], url: '/things' }), { name: 'TypeError', message: /^GET,HEAD \/things: config.auth must be/ }, JSON.stringify(setting))
  }
  t.throws(() => requirementOf('yes', {}), { message: /^\? \?: config.auth/ })
})

t.test('with a verifier that must fetch keys, the answer waits for it, and a throwing check reaches the error handler', async (t) => {
  const slow = { judge: async (token: string) => tokens.judge(token) }
  const app = await guarded(t, (guards) => guards.authenticate, { verifier: slow })
  t.equal((await call(app, `Bearer ${READER.token}`)).status, 200)
  t.equal((await call(app, 'Bearer a.b.c')).status, 401)
  const broken = await guarded(t, (guards) => guards.authenticate, { verifier: slow, isRevoked: () => { throw new Error('revocations broke') } })
  t.match(await call(broken, `Bearer ${READER.token}`), { status: 500, body: { message: 'revocations broke' } })
})
