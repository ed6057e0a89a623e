import t, { type Test } from 'tap'
import { buildApp } from '../../app.js'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { startTollgate, type ListeningTollgate } from '../support/processes.js'
import { holdsBy } from './deadline.js'
import { httpClient, type HttpClient, type HttpResponse } from './http-client.js'
import { freshDatabase, freshRedisPrefix, REDIS_URL } from '../support/stores.js'

/** How soon a revocation made on one instance must be refused on the other. */
const PROPAGATION_DEADLINE_MS = 100
const SECRET = 'multi-instance-secret-at-least-32-bytes!'

interface Tokens { access: string, refresh: string }

async function logIn (client: HttpClient, username: string, password = PASSWORD): Promise<Tokens> {
  const response = await client.post('/auth/login', { json: { username, password } })
  if (response.status !== 200) throw new Error(`login on ${client.url} failed: ${response.status} ${response.body}`)
  const body = response.json()
  return { access: body.access_token, refresh: body.refresh_token }
}

const refresh = (client: HttpClient, token: string): Promise<HttpResponse> =>
  client.post('/auth/refresh', { json: { refresh_token: token } })

const meStatus = async (client: HttpClient, token: string): Promise<number> => (await client.get('/users/me', { headers: bearer(token) })).status

/** Asserts that `token` is refused on `client` for a request sent by the deadline after `startedAt`. */
async function refusedBy (t: Test, client: HttpClient, token: string, startedAt: number, what: string): Promise<void> {
  const result = await holdsBy(() => meStatus(client, token), (status) => status === 401, { deadlineMs: PROPAGATION_DEADLINE_MS, startedAt })
  t.ok(result.met, `${what} is refused on ${client.url} by the ${PROPAGATION_DEADLINE_MS} ms mark`, {
    firstRefusalSentAtMs: Math.round(result.sentAtMs), lastStatus: result.last
  })
}

t.test('two Tollgate processes sharing one PostgreSQL database and one Redis', async (t) => {
  const databaseUrl = await freshDatabase(t)
  const prefix = await freshRedisPrefix(t)
  const env = {
    NODE_ENV: 'test',
    JWT_SECRET: SECRET,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOGIN_RATE_LIMIT: '3'
  }

  // The users exist before either process starts (so neither creates a first admin).
  const setup = await buildApp({ env: { ...env, LOG_LEVEL: 'silent' }, logger: false })
  try {
    await setup.ready()
    for (const username of ['alice', 'bob', 'carol']) {
      await createUser(setup, username)
    }
  } finally {
    await setup.close()
  }

  const cwd = t.testdir()
  const [a, b] = await Promise.all([startTollgate(t, { env, cwd }), startTollgate(t, { env, cwd })]) as [ListeningTollgate, ListeningTollgate]
  t.not(a.url, b.url, 'each process listens on its own port')

  // Every scenario connects from its own loopback address: the per-address login budget is its own.
  let nextAddress = 10
  const clients = (): [HttpClient, HttpClient] => {
    const address = `127.0.0.${nextAddress++}`
    return [httpClient(a.url, address), httpClient(b.url, address)]
  }

  t.test('a logout on B is refused on A by the deadline', async (t) => {
    const [onA, onB] = clients()
    const session = await logIn(onA, 'alice')
    t.equal(await meStatus(onA, session.access), 200, 'the token works on A')
    t.equal(await meStatus(onB, session.access), 200, 'and on B')

    t.equal((await onB.post('/auth/logout', { headers: bearer(session.access) })).status, 204, 'B logs it out')
    await refusedBy(t, onA, session.access, performance.now(), 'the logged-out token')
    t.equal(await meStatus(onB, session.access), 401, 'B refuses it too')
    t.equal((await refresh(onA, session.refresh)).status, 401, 'its refresh token no longer works on A')
  })

  t.test('a refresh token spent on A and presented again on B ends the family on both', async (t) => {
    const [onA, onB] = clients()
    const first = await logIn(onA, 'alice')
    const rotated = await refresh(onA, first.refresh)
    t.equal(rotated.status, 200, 'A rotates the refresh token')
    const current: Tokens = { access: rotated.json().access_token, refresh: rotated.json().refresh_token }
    t.equal(await meStatus(onB, current.access), 200, 'the new access token works on B')

    const reuse = await refresh(onB, first.refresh)
    const detectedAt = performance.now()
    t.equal(reuse.status, 401, 'B refuses the spent token')

    await refusedBy(t, onA, current.access, detectedAt, 'the family\'s current access token')
    t.equal(await meStatus(onB, current.access), 401, 'B refuses the current access token')
    t.equal(await meStatus(onA, first.access), 401, 'A refuses the family\'s first access token')
    t.equal((await refresh(onA, current.refresh)).status, 401, 'the latest refresh token no longer works on A')
    t.equal((await refresh(onB, current.refresh)).status, 401, 'nor on B')
  })

  t.test('logout-all on B ends every session of the user on A, and later logins work', async (t) => {
    const [onA, onB] = clients()
    const sessions = [await logIn(onA, 'carol'), await logIn(onA, 'carol')]
    const other = await logIn(onA, 'alice')

    t.equal((await onB.post('/auth/logout-all', { headers: bearer(sessions[0]!.access) })).status, 204)
    const endedAt = performance.now()
    for (const [index, session] of sessions.entries()) {
      await refusedBy(t, onA, session.access, endedAt, `session ${index + 1}'s access token`)
      t.equal(await meStatus(onB, session.access), 401, `B refuses session ${index + 1}'s access token`)
      t.equal((await refresh(onA, session.refresh)).status, 401, `session ${index + 1}'s refresh token no longer works`)
    }
    t.equal(await meStatus(onA, other.access), 200, 'another user\'s token is untouched')

    const again = await logIn(onA, 'carol')
    t.equal(await meStatus(onA, again.access), 200, 'a login on A afterwards works on A')
    t.equal(await meStatus(onB, again.access), 200, 'and on B')
  })

  t.test('failed logins for one username count across both instances', async (t) => {
    const [onA, onB] = clients()
    const attempt = (client: HttpClient) => client.post('/auth/login', { json: { username: 'bob', password: 'not his password' } })
    t.equal((await attempt(onA)).status, 401, '1st, on A')
    t.equal((await attempt(onB)).status, 401, '2nd, on B')
    t.equal((await attempt(onA)).status, 401, '3rd, on A')
    const fourth = await attempt(onB)
    t.equal(fourth.status, 429, 'the 4th, on B, is throttled: B counted A\'s attempts')
    t.match(fourth.headers['retry-after'], /^\d+$/, 'with a Retry-After in seconds')

    // The budget is the username's, whichever address asks.
    const [elsewhereA] = clients()
    const right = await elsewhereA.post('/auth/login', { json: { username: 'bob', password: PASSWORD } })
    t.equal(right.status, 429, 'even the right password from another address waits')
  })

  t.test('failed logins from one address count across both instances, at twice the per-user limit', async (t) => {
    const [onA, onB] = clients()
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const response = await (i % 2 === 0 ? onA : onB).post('/auth/login', { json: { username: `nobody-${i}`, password: 'whatever it is' } })
      statuses.push(response.status)
      if (response.status === 429) t.match(response.headers['retry-after'], /^\d+$/, 'with a Retry-After in seconds')
    }
    t.same(statuses, [401, 401, 401, 401, 401, 401, 429], 'six failures in all, then 429')
  })
})
