import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildAppOptions } from '../app.js'
import type { Environment } from '../src/config/environment.js'
import { TEST_ISSUER } from './support/forge.js'

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!'

/** The environment every test starts from: an in-memory store and a fixed secret. */
export function testEnv (overrides: Environment = {}): Environment {
  return {
    NODE_ENV: 'test',
    JWT_SECRET: TEST_SECRET,
    PUBLIC_URL: TEST_ISSUER,
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    // Throttling has tests of its own; elsewhere it would only make repeated logins flaky.
    LOGIN_RATE_LIMIT: '10000',
    ...overrides
  }
}

interface Closable { after (fn: () => unknown): void }

/** Builds the same app the server runs, closed when the test ends. */
export async function build (t: Closable, env: Environment = {}, options: Partial<BuildAppOptions> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ env: testEnv(env), logger: false, ...options })
  t.after(() => app.close())
  await app.ready()
  return app
}

export interface TestUser {
  id: string
  username: string
  password: string
}

/** The password of every user the tests create, unless a test says otherwise. */
export const PASSWORD = 'correct horse battery staple'

export async function createUser (app: FastifyInstance, username = 'alice', roles: string[] = [], password = PASSWORD): Promise<TestUser> {
  const user = await app.users.create({ username, passwordHash: await app.passwords.hash(password), roles })
  return { id: user.id, username, password }
}

/** Logs in through the HTTP API and returns the access token. */
export async function login (app: FastifyInstance, user: Pick<TestUser, 'username' | 'password'>): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  return response.json().access_token
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
