import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { parseClientKey } from '../../src/clients/client-keys.js'
import { build } from '../helper.js'
import { tokenRequest, withAssertion } from '../support/client-assertions.js'
import { signToken, TEST_ISSUER } from '../support/forge.js'

const RUNS = { numRuns: 300, seed: 20_260_109 }
const ACCEPTED_AUDIENCES = [TEST_ISSUER, `${TEST_ISSUER}/auth/token`]

const isString = (value: unknown): value is string => typeof value === 'string'

/**
 * RFC 7523 §3 as CONTRACT.md states it, written out apart from src/clients: what an accepted assertion
 * must satisfy. `seen` holds the jtis accepted before.
 */
function meetsRfc7523 (header: Record<string, unknown>, claims: Record<string, unknown>, seen: Set<string>): boolean {
  const now = Date.now() / 1000
  const { iss, sub, aud, exp, jti } = claims
  const audiences = Array.isArray(aud) ? aud : [aud]
  return header.alg === 'ES256' &&
    iss === 'billing' && sub === 'billing' &&
    audiences.every(isString) && audiences.some((value) => ACCEPTED_AUDIENCES.includes(value)) &&
    typeof exp === 'number' && exp > now - 10 && exp <= now + 300 + 10 &&
    isString(jti) && jti !== '' && jti.length <= 255 && !seen.has(jti)
}

t.test('a tampered assertion is accepted only if it still meets RFC 7523, and is otherwise 401 invalid_client, never a 5xx', async (t) => {
  const app = await build(t)
  const key = generateKeyPair('ES256')
  const stranger = generateKeyPair('ES256')
  await app.clients.administration.add('billing', { key: parseClientKey(key.publicPem) })
  await app.clients.administration.add('audit', { key: parseClientKey(stranger.publicPem) })

  const claimName = fc.constantFrom('iss', 'sub', 'aud', 'exp', 'jti', 'nbf', 'iat', '__proto__')
  const headerName = fc.constantFrom('alg', 'typ', 'crit', 'kid', 'b64', 'jku')
  const value = fc.oneof(fc.jsonValue(), fc.constantFrom('billing', 'audit', ...ACCEPTED_AUDIENCES, 'none', 'HS256', 'RS256'),
    fc.integer({ min: -600, max: 900 }).map((offset) => Math.floor(Date.now() / 1000) + offset))
  const cases = fc.tuple(fc.option(claimName, { nil: undefined }), fc.option(headerName, { nil: undefined }), value,
    fc.constantFrom('right key', 'stranger', 'hmac with the public PEM'))

  const seen = new Set<string>()
  let accepted = 0
  await fc.assert(fc.asyncProperty(cases, async ([claim, field, replacement, signer]) => {
    const now = Math.floor(Date.now() / 1000)
    const header: Record<string, unknown> = { alg: signer === 'hmac with the public PEM' ? 'HS256' : 'ES256', typ: 'JWT' }
    const claims: Record<string, unknown> = { iss: 'billing', sub: 'billing', aud: TEST_ISSUER, iat: now, exp: now + 120, jti: randomUUID() }
    if (claim !== undefined) Object.defineProperty(claims, claim, { value: replacement, enumerable: true, writable: true, configurable: true })
    if (field !== undefined) header[field] = replacement
    const alg = String(header.alg)
    const made = signer === 'hmac with the public PEM'
      ? signToken(claims, header, { alg: 'HS256', secret: key.publicPem })
      : signToken(claims, header, { alg: 'ES256', privatePem: signer === 'right key' ? key.privatePem : stranger.privatePem })
    const response = await tokenRequest(app, withAssertion(made))
    if (response.statusCode === 200) {
      if (signer !== 'right key' || !meetsRfc7523({ ...header, alg }, claims, seen)) {
        throw new Error(`accepted an assertion outside RFC 7523: ${JSON.stringify({ signer, header, claims })}`)
      }
      seen.add(claims.jti as string)
      accepted++
      return
    }
    if (response.statusCode !== 401 || response.json().error !== 'invalid_client') {
      throw new Error(`${response.statusCode} for ${JSON.stringify({ signer, header, claims })}: ${response.body}`)
    }
  }), RUNS)
  t.ok(accepted > 0, `${accepted} harmless tamperings accepted, the rest refused`)
})
