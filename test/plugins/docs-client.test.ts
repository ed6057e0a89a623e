import { Writable } from 'node:stream'
import t from 'tap'
import { build } from '../helper.js'
import { fileEnv } from '../cli/run-cli.js'

t.test('the docs\' public client follows PUBLIC_URL from one start to the next', async (t) => {
  const env = fileEnv(t.testdir())
  const first = await build(t, { ...env, PUBLIC_URL: 'http://127.0.0.1:3000' })
  t.match(await first.clients.repository.find('tollgate-docs'), { public: true, redirectUris: ['http://127.0.0.1:3000/docs/static/oauth2-redirect.html'], secretHash: undefined })
  await first.close()
  const second = await build(t, { ...env, PUBLIC_URL: 'https://auth.example.com' })
  t.same((await second.clients.repository.find('tollgate-docs'))?.redirectUris, ['https://auth.example.com/docs/static/oauth2-redirect.html'])
})

t.test('a PUBLIC_URL that cannot receive codes leaves the docs without the code flow, and says why', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, callback) { lines.push(String(chunk)); callback() } })
  const app = await build(t, { PUBLIC_URL: 'http://tollgate.internal:3000', LOG_LEVEL: 'warn' }, { logger: { stream } })
  t.equal(await app.clients.repository.find('tollgate-docs'), undefined)
  t.match(lines.join(''), /the docs cannot sign in with the authorization code flow: redirect URI .* must use https/)
})
