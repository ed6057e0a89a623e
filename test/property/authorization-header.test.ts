import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { bearer, build, createUser, TEST_SECRET } from '../helper.js'
import { encodeSegment, signToken, TEST_ISSUER } from '../support/forge.js'

// Bounded runs with a fixed seed: the same cases every run, so a failure reproduces and the suite stays fast.
const RUNS = { numRuns: 400, seed: 20_260_101 }

const CHALLENGE = /^Bearer realm="tollgate"(, error="invalid_token", error_description="[^"\\]+")?$/

/** What every refused request must look like, whatever was sent. */
async function expectRefused (app: FastifyInstance, authorization: string): Promise<boolean> {
  const response = await app.inject({ url: '/users/me', headers: { authorization } })
  if (response.statusCode !== 401) throw new Error(`${response.statusCode} for ${JSON.stringify(authorization).slice(0, 200)}: ${response.body}`)
  const challenge = response.headers['www-authenticate']
  if (typeof challenge !== 'string' || !CHALLENGE.test(challenge)) throw new Error(`bad challenge ${String(challenge)}`)
  const body = response.json()
  if (body.statusCode !== 401 || body.error !== 'Unauthorized' || typeof body.message !== 'string') throw new Error(`bad body ${response.body}`)
  return true
}

const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,64}$/)
const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', '')

const headers = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.tuple(scheme, fc.array(segment, { minLength: 1, maxLength: 5 })).map(([name, parts]) => `${name} ${parts.join('.')}`),
  fc.tuple(fc.jsonValue(), fc.jsonValue(), segment).map(([header, payload, signature]) =>
    `Bearer ${encodeSegment(header)}.${encodeSegment(payload)}.${signature}`)
)

const isString = (value: unknown): value is string => typeof value === 'string'
const isNumber = (value: unknown): value is number => typeof value === 'number'

/**
 * CONTRACT.md's access token, written out independently of src/auth/tokens.ts: the oracle a token
 * signed with the right key must satisfy to be accepted.
 */
function meetsContract (header: Record<string, unknown>, payload: Record<string, unknown>): boolean {
  const now = Date.now() / 1000
  const { sub, iat, nbf, exp, jti, iss, aud, roles, scope, sid } = payload
  return header.alg === 'HS256' && isString(header.typ) && header.typ.toLowerCase().replace(/^application\//, '') === 'at+jwt' &&
    header.crit === undefined &&
    isString(sub) && isString(jti) && isString(scope) && isNumber(iat) && isNumber(nbf) && isNumber(exp) &&
    nbf - 5 <= now && exp + 5 >= now &&
    iss === TEST_ISSUER && (aud === 'tollgate-api' || (Array.isArray(aud) && aud.every(isString) && aud.includes('tollgate-api'))) &&
    Array.isArray(roles) && roles.every(isString) && (sid === undefined || isString(sid))
}

async function setup (t: Test): Promise<{ app: FastifyInstance, sub: string }> {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  return { app, sub: alice.id }
}

t.test('any Authorization header that is not a token Tollgate issued gets 401 with a Bearer challenge', async (t) => {
  const { app } = await setup(t)
  await fc.assert(fc.asyncProperty(headers, (authorization) => expectRefused(app, authorization)), RUNS)
  t.pass(`${RUNS.numRuns} random headers refused`)
})

t.test('a token with the right structure and random header and claims is refused, never a 5xx', async (t) => {
  const { app, sub } = await setup(t)
  const now = Math.floor(Date.now() / 1000)
  const good = { sub, iat: now, nbf: now, exp: now + 900, jti: randomUUID(), iss: TEST_ISSUER, aud: 'tollgate-api', roles: [], scope: '' }
  // One claim or header field replaced by any JSON value, so each case sits one step away from a valid token.
  const claim = fc.constantFrom(...Object.keys(good), 'sid', '__proto__', 'constructor')
  const field = fc.constantFrom('alg', 'typ', 'crit', 'kid', 'b64', 'jku')
  const tampered = fc.tuple(fc.option(claim, { nil: undefined }), fc.option(field, { nil: undefined }), fc.jsonValue(), fc.boolean())
    .filter(([c, f]) => c !== undefined || f !== undefined)
    .map(([c, f, value, rightKey]) => {
      const header: Record<string, unknown> = { alg: 'HS256', typ: 'at+jwt' }
      const payload: Record<string, unknown> = { ...good }
      if (c !== undefined) Object.defineProperty(payload, c, { value, enumerable: true, writable: true, configurable: true })
      if (f !== undefined) header[f] = value
      const secret = rightKey ? TEST_SECRET : 'a-key-that-is-not-the-one-tollgate-uses'
      return { input: signToken(payload, header, { alg: 'HS256', secret }), header, payload, rightKey }
    })

  await fc.assert(fc.asyncProperty(tampered, async ({ input, header, payload, rightKey }) => {
    const response = await app.inject({ url: '/users/me', headers: bearer(input) })
    if (response.statusCode >= 500) throw new Error(`${response.statusCode}: ${response.body}`)
    // Some tampering is harmless (a jti of another string, an extra kid): those tokens are still valid,
    // and one whose sub names nobody reaches the route, which answers 404.
    if (response.statusCode === 200 || response.statusCode === 404) {
      if (!rightKey) throw new Error('a token signed with another key was accepted')
      if (!meetsContract(header, payload)) throw new Error(`accepted a token outside the contract: ${JSON.stringify({ header, payload })}`)
      return
    }
    if (response.statusCode !== 401) throw new Error(`${response.statusCode} for ${JSON.stringify({ header, payload })}: ${response.body}`)
    return expectRefused(app, `Bearer ${input}`)
  }), RUNS)
  t.pass('tampered tokens handled')
})
