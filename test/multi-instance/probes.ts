import type { Test } from 'tap'
import { buildApp } from '../../app.js'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { startTollgate, type ListeningTollgate } from '../support/processes.js'
import { freshDatabase, freshRedisPrefix, REDIS_URL } from '../support/stores.js'
import { holdsBy } from './deadline.js'
import { httpClient, type HttpClient, type HttpResponse } from './http-client.js'

/** How soon a revocation made on one instance must be refused on the other. */
export const PROPAGATION_DEADLINE_MS = 100
const SECRET = 'multi-instance-secret-at-least-32-bytes!'

export interface Tokens { access: string, refresh: string }

export async function logIn (client: HttpClient, username: string, password = PASSWORD): Promise<Tokens> {
  const response = await client.post('/auth/login', { json: { username, password } })
  if (response.status !== 200) throw new Error(`login on ${client.url} failed: ${response.status} ${response.body}`)
  const body = response.json()
  return { access: body.access_token, refresh: body.refresh_token }
}

export const refresh = (client: HttpClient, token: string): Promise<HttpResponse> =>
  client.post('/auth/refresh', { json: { refresh_token: token } })

export const meStatus = async (client: HttpClient, token: string): Promise<number> => (await client.get('/users/me', { headers: bearer(token) })).status

/** Asserts that `token` is refused on `client` for a request sent by the deadline after `startedAt`. */
export async function refusedBy (t: Test, client: HttpClient, token: string, startedAt: number, what: string): Promise<void> {
  const result = await holdsBy(() => meStatus(client, token), (status) => status === 401, { deadlineMs: PROPAGATION_DEADLINE_MS, startedAt })
  t.ok(result.met, `${what} is refused on ${client.url} by the ${PROPAGATION_DEADLINE_MS} ms mark`, {
    firstRefusalSentAtMs: Math.round(result.sentAtMs), lastStatus: result.last
  })
}

export interface Pair {
  a: ListeningTollgate
  b: ListeningTollgate
  /** Their environment, for a CLI that works on the same store. */
  env: Record<string, string>
  /** Clients of A and B connecting from a loopback address no other scenario uses: its login budget is its own. */
  clients (): [HttpClient, HttpClient]
  /** User ids by username. */
  ids: Record<string, string>
}

/**
 * Two Tollgate processes sharing one fresh PostgreSQL database and one Redis prefix (none with
 * `redis: false`), with these users (and their roles) made before either starts, so neither creates a
 * first admin.
 */
export async function startPair (t: Test, users: Record<string, string[]>, loginRateLimit = '3', { redis = true } = {}): Promise<Pair> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    JWT_SECRET: SECRET,
    DATABASE_URL: await freshDatabase(t),
    ...(redis ? { REDIS_URL, REDIS_PREFIX: await freshRedisPrefix(t) } : {}),
    LOGIN_RATE_LIMIT: loginRateLimit
  }
  const ids: Record<string, string> = {}
  const setup = await buildApp({ env: { ...env, LOG_LEVEL: 'silent' }, logger: false })
  try {
    await setup.ready()
    for (const [username, roles] of Object.entries(users)) ids[username] = (await createUser(setup, username, roles)).id
  } finally {
    await setup.close()
  }

  const cwd = t.testdir()
  const [a, b] = await Promise.all([startTollgate(t, { env, cwd }), startTollgate(t, { env, cwd })]) as [ListeningTollgate, ListeningTollgate]
  let nextAddress = 10
  const clients = (): [HttpClient, HttpClient] => {
    const address = `127.0.0.${nextAddress++}`
    return [httpClient(a.url, address), httpClient(b.url, address)]
  }
  return { a, b, env, clients, ids }
}
