import t from 'tap'
import { buildApp } from '../../../app.js'
import { testEnv } from '../../helper.js'

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

t.test('a client refused at introspection or revocation is an audit line, as at the token endpoint, never with its secret', async (t) => {
  const lines: string[] = []
  const app = await buildApp({ env: testEnv(), logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
  t.after(() => app.close())
  await app.ready()
  const { secret = '' } = await app.clients.administration.add('gateway', {})
  const post = (url: string, authorization: string) => app.inject({
    method: 'POST', url, headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=x'
  })

  t.equal((await post('/auth/introspect', basic('gateway', 'a-wrong-guess-of-a-secret'))).statusCode, 401)
  t.equal((await post('/auth/revoke', basic('gateway', 'another-wrong-guess'))).statusCode, 401)
  t.equal((await post('/auth/introspect', basic('gateway', secret))).statusCode, 403, 'no introspect permission')
  const audit = lines.map((line) => JSON.parse(line)).filter((line) => line.event === 'auth.client')
  t.match(audit, [
    { outcome: 'failure', clientId: 'gateway', method: 'client_secret_basic', endpoint: '/auth/introspect', code: 'ERR_INVALID_CLIENT' },
    { outcome: 'failure', clientId: 'gateway', method: 'client_secret_basic', endpoint: '/auth/revoke', code: 'ERR_INVALID_CLIENT' },
    { outcome: 'failure', clientId: 'gateway', endpoint: '/auth/introspect', code: 'ERR_FORBIDDEN', reason: 'no introspect permission' }
  ])
  t.equal(audit.length, 3)
  for (const guess of ['a-wrong-guess-of-a-secret', 'another-wrong-guess', secret]) t.notMatch(lines.join(''), guess)
})
