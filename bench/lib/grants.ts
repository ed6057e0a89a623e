import { JWT_BEARER_ASSERTION_TYPE } from '../../src/clients/client-assertion.js'
import { assertionPool, type AssertionPool } from './assertions.js'
import { measure, type LoadOptions, type Measurement } from './measure.js'
import type { BenchServer } from './processes.js'
import { logins } from './scenarios.js'

export type GrantMethod = 'client_secret_basic' | 'private_key_jwt'

/** The two clients every grant server registers: ids fixed, secret and key made by the runner. */
export interface BenchClients {
  secret: string
  /** PKCS#8 PEM of the ES256 key `bench-key` signs its assertions with. */
  privatePem: string
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * Client credentials grants against one server: the request each method sends, and for private_key_jwt
 * a pool of assertions made before each measurement (each is accepted once, so each request needs its own).
 */
export function grantLoad (server: BenchServer, method: GrantMethod, clients: BenchClients) {
  const url = `${server.url}${server.info.tokenPath ?? '/auth/token'}`
  const pool: AssertionPool | undefined = method === 'private_key_jwt'
    ? assertionPool(clients.privatePem, 'bench-key', server.info.assertionAudience ?? '')
    : undefined
  const basic = `Basic ${Buffer.from(`bench-basic:${clients.secret}`).toString('base64')}`
  const request: Omit<LoadOptions, 'connections' | 'durationSeconds'> = pool === undefined
    ? { url, method: 'POST', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials' }
    : {
        url,
        method: 'POST',
        headers: FORM,
        body: () => new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: pool.take() }).toString()
      }
  /** One measurement; `expectedRate` sizes the assertion pool made beforehand. */
  return async function load (options: { connections: number, durationSeconds: number, expectedRate: number }): Promise<Measurement> {
    pool?.refill(Math.ceil(options.expectedRate * options.durationSeconds * 1.3) + 1000)
    return measure({ ...request, connections: options.connections, durationSeconds: options.durationSeconds })
  }
}

export type GrantLoad = ReturnType<typeof grantLoad>

/** Grants at full speed alone, then with a storm of argon2 logins on the same server at the same time. */
export async function grantsDuringLoginStorm (server: BenchServer, load: GrantLoad, options: { connections: number, durationSeconds: number, expectedRate: number }) {
  const alone = await load(options)
  const [stormed, storm] = await Promise.all([load(options), logins(server, options.durationSeconds)])
  return { alone, stormed, logins: storm }
}
