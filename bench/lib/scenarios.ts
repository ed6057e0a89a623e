import type { ServerStats } from '../servers/report.js'
import { measure, type Measurement } from './measure.js'
import type { BenchServer } from './processes.js'

/** A storm of argon2id logins from 16 connections, as fast as the server takes them. */
export function logins (server: BenchServer, durationSeconds: number): Promise<Measurement> {
  return measure({
    url: `${server.url}/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: server.info.username, password: server.info.password }),
    connections: 16,
    durationSeconds
  })
}

export async function serverStats (server: BenchServer, reset: boolean): Promise<ServerStats> {
  const response = await fetch(`${server.url}/bench/stats${reset ? '?reset=1' : ''}`)
  return await response.json() as ServerStats
}

export interface StormResult {
  idleP99: number
  stormP99: number
  loopDelayP99: number
  loginsPerSecond: number
  protectedFailures: number
}

/**
 * The protected route at a steady rate, alone and then during a storm of logins. A steady rate (not
 * "as fast as possible") makes the two p99s comparable: what changes is only the logins next to it.
 */
export async function loginStorm (server: BenchServer, { durationSeconds, rate }: { durationSeconds: number, rate: number }): Promise<StormResult> {
  const steady = () => measure({
    url: `${server.url}/bench/protected`,
    headers: { authorization: `Bearer ${server.info.token}` },
    connections: 10,
    durationSeconds,
    overallRate: rate
  })
  const idle = await steady()
  await serverStats(server, true)
  const [loaded, stormed] = await Promise.all([
    steady(),
    logins(server, durationSeconds)
  ])
  const stats = await serverStats(server, true)
  return {
    idleP99: idle.p99,
    stormP99: loaded.p99,
    loopDelayP99: stats.loopDelayP99,
    loginsPerSecond: stormed.requestsPerSecond,
    protectedFailures: idle.non2xx + idle.errors + loaded.non2xx + loaded.errors
  }
}

export interface SoakResult {
  total: number
  failures: number
  heapRatio: number
  rssRatio: number
}

/** The protected route as fast as it answers for a long time: nothing may fail, and memory must settle. */
export async function soak (server: BenchServer, { durationSeconds, connections }: { durationSeconds: number, connections: number }): Promise<SoakResult> {
  const load = (seconds: number) => measure({
    url: `${server.url}/bench/protected`,
    headers: { authorization: `Bearer ${server.info.token}` },
    connections,
    durationSeconds: seconds
  })
  await load(5)
  const before = await serverStats(server, false)
  const result = await load(durationSeconds)
  const after = await serverStats(server, false)
  return {
    total: result.total,
    failures: result.non2xx + result.errors,
    heapRatio: after.heapUsed / before.heapUsed,
    rssRatio: after.rss / before.rss
  }
}
