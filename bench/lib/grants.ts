import { JWT_BEARER_ASSERTION_TYPE } from '../../src/clients/client-assertion.js'
import { assertionPool, type AssertionPool } from './assertions.js'
import type { CaseLoad, LoadRun } from './case.js'
import type { GrantMethod } from './cases.js'
import { measure, type LoadOptions } from './measure.js'
import type { BenchServer } from './processes.js'
import { logins } from './scenarios.js'
import { workloadTokens, type WorkloadSigner } from './workload-tokens.js'

/** The clients every grant server registers: ids fixed, secret and keys made by the runner. */
export interface BenchClients {
  secret: string
  /** PKCS#8 PEM of the ES256 key `bench-key` signs its assertions with. */
  privatePem: string
  /** The cluster whose service-account tokens `bench-orders` presents (Tollgate only). */
  cluster?: WorkloadSigner
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
/** A fleet's pods: each presents its own token again and again until the kubelet replaces it. */
const PODS = 100

/** Cycles through `bodies`, one a request. */
function turns (bodies: string[]): () => string {
  let next = 0
  return () => bodies[next++ % bodies.length]!
}

/**
 * Client credentials grants against one server: the request each method sends; for private_key_jwt a
 * pool of assertions made before each measurement (each is accepted once, so each request needs its
 * own); for a workload token, a hundred pods' tokens presented in turn.
 */
export function grantLoad (server: BenchServer, method: GrantMethod, clients: BenchClients): CaseLoad {
  const url = `${server.url}${server.info.tokenPath ?? '/auth/token'}`
  const audience = server.info.assertionAudience ?? ''
  const assertion = (value: string) => new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: value }).toString()
  let pool: AssertionPool | undefined
  let request: Omit<LoadOptions, 'connections' | 'durationSeconds'>
  if (method === 'client_secret_basic') {
    request = basicGrant(url, clients)
  } else if (method === 'private_key_jwt') {
    const assertions = assertionPool(clients.privatePem, 'bench-key', audience)
    pool = assertions
    request = { url, method: 'POST', headers: FORM, body: () => assertion(assertions.take()) }
  } else {
    if (clients.cluster === undefined) throw new Error(`${server.name}: no cluster key for workload tokens`)
    request = { url, method: 'POST', headers: FORM, body: turns(workloadTokens(clients.cluster, audience, PODS).map(assertion)) }
  }
  return {
    prepare: async (requests) => { pool?.refill(requests) },
    run: (options: LoadRun) => measure({ ...request, ...options })
  }
}

/** A client_secret_basic grant's request, the same each time: the secret is not spent. */
function basicGrant (url: string, clients: BenchClients): Omit<LoadOptions, 'connections' | 'durationSeconds'> {
  const basic = `Basic ${Buffer.from(`bench-basic:${clients.secret}`).toString('base64')}`
  return { url, method: 'POST', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials' }
}

/** The grant-shaped floor route (servers/floor-route.ts), sent exactly what a client_secret_basic grant is. */
export function floorRouteLoad (server: BenchServer, clients: BenchClients): CaseLoad {
  const request = basicGrant(`${server.url}/bench/floor`, clients)
  return { run: (options: LoadRun) => measure({ ...request, ...options }) }
}

/** Grants at full speed alone, then with a storm of argon2 logins on the same server at the same time. */
export async function grantsDuringLoginStorm (server: BenchServer, load: CaseLoad, options: LoadRun & { requests: number }) {
  await load.prepare?.(options.requests)
  const alone = await load.run(options)
  await load.prepare?.(options.requests)
  const [stormed, storm] = await Promise.all([load.run(options), logins(server, options.durationSeconds)])
  return { alone, stormed, logins: storm }
}
