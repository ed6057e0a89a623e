import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp, type BuildAppOptions } from '../../app.js'
import type { Environment } from '../../src/config/environment.js'
import { bearer, PASSWORD } from '../helper.js'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js'

export const SECRET = 'fault-tests-secret-at-least-32-bytes-long'

interface Teardown { teardown (fn: () => unknown): void }

/** A proxy in front of the service at `url`, and the same URL pointed at the proxy. */
export async function proxyFor (t: Teardown, url: string): Promise<{ proxy: TcpProxy, url: string }> {
  const target = new URL(url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) })
  t.teardown(() => proxy.close())
  target.hostname = '127.0.0.1'
  target.port = String(proxy.port)
  return { proxy, url: target.toString() }
}

export interface Instance {
  app: FastifyInstance
  /** Every status code this instance answered, to check that none was a 5xx it should not be. */
  statuses: number[]
  inject (options: InjectOptions): Promise<LightMyRequestResponse>
}

/** An in-process Tollgate, closed when the test ends; its responses are recorded. */
export async function startInstance (t: Teardown, env: Environment, options: Pick<BuildAppOptions, 'databaseSchema' | 'databaseSyncMs' | 'watchStoreChanges'> = {}): Promise<Instance> {
  const app = await buildApp({
    env: { NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'silent', ...env },
    logger: false,
    ...options
  })
  t.teardown(() => app.close())
  await app.ready()
  const statuses: number[] = []
  return {
    app,
    statuses,
    async inject (request) {
      const response = await app.inject(request)
      statuses.push(response.statusCode)
      return response
    }
  }
}

export interface Session { access: string, refresh: string }

export async function logIn (instance: Instance, username: string, password = PASSWORD): Promise<Session> {
  const response = await instance.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  return { access: response.json().access_token, refresh: response.json().refresh_token }
}

export async function meStatus (instance: Instance, token: string): Promise<number> {
  return (await instance.inject({ url: '/users/me', headers: bearer(token) })).statusCode
}

export function refresh (instance: Instance, token: string): Promise<LightMyRequestResponse> {
  return instance.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: token } })
}

/** Polls until `holds` is true or `timeoutMs` has passed; returns whether it held. */
export async function eventually (holds: () => Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await holds()) return true
    if (Date.now() >= end) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** How long a request may wait on a service that does not answer before the test calls it hung. */
export const HUNG_MS = 5000

/** The response, or undefined when none came within HUNG_MS. */
export async function answered (request: Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse | undefined> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), HUNG_MS) })
  try {
    return await Promise.race([request, hung])
  } finally {
    clearTimeout(timer)
  }
}
