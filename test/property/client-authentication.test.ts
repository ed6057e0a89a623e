import fc from 'fast-check'
import t from 'tap'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/clients/client-assertion.js'
import { hashClientSecret } from '../../src/clients/client-secrets.js'
import { clientAuthentication } from '../../src/http/client-authentication.js'
import { build } from '../helper.js'
import { tokenRequest } from '../support/client-assertions.js'

const RUNS = { numRuns: 300, seed: 20_260_110 }
const SECRET = 'the-real-secret-of-billing'

/** RFC 6749 §2.3.1: each part form-encoded (Appendix B), then joined by a colon and base64-encoded. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`

t.test('any id and secret, form-encoded into HTTP Basic, are read back exactly', async (t) => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 })
  fc.assert(fc.property(text.filter((id) => id !== ''), text, fc.constantFrom('Basic', 'basic', 'BASIC'), (id, secret, scheme) => {
    const read = clientAuthentication(basic(id, secret).replace('Basic', scheme), {})
    if (!read.ok || read.value.method !== 'client_secret_basic' || read.value.id !== id || read.value.secret !== secret) {
      throw new Error(`${JSON.stringify({ id, secret })} read as ${JSON.stringify(read)}`)
    }
  }), RUNS)
  t.pass(`${RUNS.numRuns} pairs read back`)
})

t.test('any Authorization header and client fields get 200 only with the real credentials, else 400 or 401, never a 5xx', async (t) => {
  const app = await build(t)
  await app.clients.repository.create({ id: 'billing', secretHash: hashClientSecret(SECRET), scopes: [] })

  const field = fc.option(fc.oneof(fc.constantFrom('billing', SECRET, JWT_BEARER_ASSERTION_TYPE, ''), fc.string({ maxLength: 60 })), { nil: undefined })
  const authorization = fc.option(fc.oneof(
    fc.constantFrom(basic('billing', SECRET), basic('billing', 'wrong'), basic('nobody', SECRET), 'Basic Og==', 'Basic', 'Bearer x'),
    fc.string({ maxLength: 120 }).map((value) => `Basic ${value}`),
    fc.uint8Array({ maxLength: 80 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
    fc.string({ unit: 'binary-ascii', maxLength: 120 })
  ), { nil: undefined })
  let accepted = 0
  const requests = fc.oneof(
    { arbitrary: fc.record({ authorization, client_id: field, client_secret: field, client_assertion: field, client_assertion_type: field }), weight: 8 },
    // The real credentials now and then, each way, so the property also sees them accepted.
    { arbitrary: fc.constantFrom({ authorization: basic('billing', SECRET) }, { client_id: 'billing', client_secret: SECRET }), weight: 1 }
  )

  await fc.assert(fc.asyncProperty(requests, async ({ authorization: header, ...fields }: { authorization?: string | undefined, [name: string]: string | undefined }) => {
    const sent = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<string, string>
    // Header values with characters HTTP does not allow never reach a server: inject refuses them too.
    if (header !== undefined && /[^\t\x20-\x7e\x80-\xff]/.test(header)) return
    const response = await tokenRequest(app, { grant_type: 'client_credentials', ...sent }, header)
    const genuine = header === basic('billing', SECRET) ? Object.keys(sent).length === 0 : header === undefined && sent.client_id === 'billing' && sent.client_secret === SECRET && sent.client_assertion === undefined && sent.client_assertion_type === undefined
    const what = `${response.statusCode} for ${JSON.stringify({ header, sent })}: ${response.body}`
    if (response.statusCode === 200 && !genuine) throw new Error(`accepted: ${what}`)
    if (response.statusCode === 200) {
      accepted++
      return
    }
    if (genuine) throw new Error(`refused the real credentials: ${what}`)
    const { error } = response.json()
    const expected = response.statusCode === 401 ? ['invalid_client'] : response.statusCode === 400 ? ['invalid_request'] : []
    if (!expected.includes(error)) throw new Error(what)
    if (response.statusCode === 401 && response.headers['www-authenticate'] !== 'Basic realm="tollgate"') throw new Error(`no Basic challenge: ${what}`)
  }), RUNS)
  t.ok(accepted > 0, `${RUNS.numRuns} requests answered, ${accepted} of them with the real credentials`)
})
