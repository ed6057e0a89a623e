import t from 'tap'
import { buildApp } from '../../app.js'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { httpClient, type HttpClient } from '../multi-instance/http-client.js'
import { freshDatabase, freshRedisPrefix, REDIS_URL } from '../support/stores.js'
import { startTollgate } from '../support/processes.js'
import { eventually, proxyFor, SECRET } from './instances.js'

/** Keeps `concurrency` requests in flight until `stop()` says so; returns every status (0: no answer). */
async function keepBusy (client: HttpClient, token: string, concurrency: number, stop: () => boolean): Promise<number[]> {
  const statuses: number[] = []
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!stop()) {
      statuses.push(await client.get('/users/me', { headers: bearer(token) }).then((r) => r.status, () => 0))
    }
  }))
  return statuses
}

t.test('a server that loses its database in the middle of requests keeps running, and recovers', async (t) => {
  const databaseUrl = await freshDatabase(t)
  const prefix = await freshRedisPrefix(t)
  const database = await proxyFor(t, databaseUrl)
  const env = { NODE_ENV: 'test', JWT_SECRET: SECRET, REDIS_URL, REDIS_PREFIX: prefix }

  const setup = await buildApp({ env: { ...env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }, logger: false })
  try {
    await setup.ready()
    await createUser(setup, 'alice')
  } finally {
    await setup.close()
  }

  const server = await startTollgate(t, { env: { ...env, DATABASE_URL: database.url }, cwd: t.testdir() })
  const client = httpClient(server.url)
  const login = await client.post('/auth/login', { json: { username: 'alice', password: PASSWORD } })
  t.equal(login.status, 200)
  const token: string = login.json().access_token

  // Queries are in flight when the connections are cut; requests go on for a moment after it.
  const started = Date.now()
  const timer = setTimeout(() => database.proxy.cut(), 150)
  const statuses = await keepBusy(client, token, 8, () => Date.now() - started > 450)
  clearTimeout(timer)
  t.ok(statuses.includes(200), 'requests succeeded before the cut')

  t.ok(server.running(), 'the process is still running', { output: server.running() ? '' : (server.output().stdout + server.output().stderr).slice(-2000) })
  if (!server.running()) return
  t.same(statuses.filter((status) => status !== 200 && status !== 503), [], 'every request got 200 or 503')
  t.equal((await client.get('/ready')).status, 503, '/ready says the database is down')

  database.proxy.restore()
  t.ok(await eventually(async () => (await client.get('/ready')).status === 200, 5000), '/ready recovers')
  t.equal((await client.get('/users/me', { headers: bearer(token) })).status, 200, 'and requests succeed again')
})
