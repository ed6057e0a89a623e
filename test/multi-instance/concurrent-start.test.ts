import t, { type Test } from 'tap'
import { startTollgate, type ListeningTollgate } from '../support/processes.js'
import { httpClient } from './http-client.js'
import { freshDatabase, freshRedisPrefix, REDIS_URL } from '../support/stores.js'

const SECRET = 'multi-instance-secret-at-least-32-bytes!'

async function startTwoOnEmptyDatabase (t: Test, env: Record<string, string>) {
  const databaseUrl = await freshDatabase(t)
  const prefix = await freshRedisPrefix(t)
  const cwd = t.testdir()
  const full = { JWT_SECRET: SECRET, DATABASE_URL: databaseUrl, REDIS_URL, REDIS_PREFIX: prefix, ...env }
  return Promise.allSettled([startTollgate(t, { env: full, cwd }), startTollgate(t, { env: full, cwd })])
}

const started = (result: PromiseSettledResult<ListeningTollgate>): ListeningTollgate | undefined =>
  result.status === 'fulfilled' ? result.value : undefined

t.test('two processes started together on an empty database both migrate it and serve', async (t) => {
  // Production: no first admin is created, so this is about the migrations alone.
  for (const result of await startTwoOnEmptyDatabase(t, { NODE_ENV: 'production' })) {
    const server = started(result)
    if (server === undefined) {
      t.fail(`a process did not start: ${String((result as PromiseRejectedResult).reason)}`)
      continue
    }
    const ready = await httpClient(server.url).get('/ready')
    t.equal(ready.status, 200, `${server.url} is ready`)
    t.same(ready.json(), { status: 'ok', database: 'ok', redis: 'ok' })
  }
})

t.test('two processes started together on an empty store outside production create one first admin', async (t) => {
  const password = 'a long enough password'
  for (const result of await startTwoOnEmptyDatabase(t, { NODE_ENV: 'test', TOLLGATE_ADMIN_USERNAME: 'root', TOLLGATE_ADMIN_PASSWORD: password })) {
    const server = started(result)
    if (server === undefined) {
      t.fail(`a process did not start: ${String((result as PromiseRejectedResult).reason)}`)
      continue
    }
    const login = await httpClient(server.url).post('/auth/login', { json: { username: 'root', password } })
    t.equal(login.status, 200, `the admin logs in on ${server.url}`)
  }
})
