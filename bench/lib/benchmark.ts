import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { CASES, TARGETS, type GrantMethod, type ServerKey } from './cases.js'
import type { Case as RelyingCase } from './case.js'
import { exchangeLoad } from './exchanges.js'
import { grantLoad, grantsDuringLoginStorm } from './grants.js'
import { introspectionLoad } from './introspections.js'
import { relyingCases } from './relying-cases.js'
import { benchChart } from './chart.js'
import { median, measure, type Measurement } from './measure.js'
import type { BenchOptions } from './options.js'
import { startServer, type BenchServer } from './processes.js'
import { loginStorm, serverStats, soak } from './scenarios.js'
import { table } from './table.js'
import { verifyCosts } from './verify-cost.js'

/**
 * `npm run bench` once its options are read: starts every server on loopback, then measures each case in
 * turn, round after round (A B C … A B C …), so slow drift of the machine affects every case alike.
 * Ratios compare cases measured in this same run, never numbers from another machine or day.
 */
export async function runBenchmark (options: BenchOptions): Promise<void> {
  const { quick, connections } = options
  const duration = quick ? 1 : options.duration
  const rounds = quick ? 1 : options.rounds

  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const keyFile = join(dir, 'es256.pem')
  writeFileSync(keyFile, generateKeyPair('ES256').privatePem, { mode: 0o600 })

  const secret = randomBytes(32).toString('base64url')
  // The grant benchmark's clients, registered alike on Tollgate and on oidc-provider.
  const clientKey = generateKeyPair('ES256')
  const clientKeyFile = join(dir, 'client.pub')
  writeFileSync(clientKeyFile, clientKey.publicPem)
  const clients = { secret: randomBytes(32).toString('base64url'), privatePem: clientKey.privatePem }
  const grantEnv = { BENCH_CLIENT_SECRET: clients.secret, BENCH_CLIENT_KEY_FILE: clientKeyFile }
  // Production needs PUBLIC_URL, which gives the issuer; every peer is told the same one.
  const issuer = 'https://tollgate.bench.example'
  const base = { NODE_ENV: 'production', JWT_SECRET: secret, PUBLIC_URL: issuer, LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT: '100000000', INTROSPECTION_RATE_LIMIT: '100000000', ...grantEnv }
  const redis = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `bench:${process.pid}:`, DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` }

  console.log('starting servers…')
  const hs = await startServer('Tollgate HS256', 'tollgate', { ...base, DATABASE_URL: `sqlite:${join(dir, 'hs.db')}` })
  const hsMetricsOff = await startServer('Tollgate HS256, metrics off', 'tollgate', { ...base, DATABASE_URL: `sqlite:${join(dir, 'hs-off.db')}`, METRICS_PORT: '0' })
  const es = await startServer('Tollgate ES256', 'tollgate', { ...base, DATABASE_URL: `sqlite:${join(dir, 'es.db')}`, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: keyFile })
  const sharedA = await startServer('Tollgate + Redis, instance A', 'tollgate', { ...base, ...redis })
  const sharedB = await startServer('Tollgate + Redis, instance B', 'tollgate', { ...base, ...redis })
  const fastifyPeer = await startServer('Fastify + @fastify/jwt', 'relying-service', { GUARD: 'fastify-jwt', JWT_SECRET: secret, ISSUER: issuer })
  const expressPeer = await startServer('Express + passport-jwt', 'express-passport', { JWT_SECRET: secret, ISSUER: issuer })
  const relying = await relyingCases({ tollgate: es, keyFile, secret })
  const oidcPeer = await startServer('oidc-provider', 'oidc-provider', { JWT_PRIVATE_KEY_FILE: keyFile, ...grantEnv })
  const oidcOpaque = await startServer('oidc-provider, opaque tokens', 'oidc-provider', { JWT_PRIVATE_KEY_FILE: keyFile, BENCH_TOKEN_FORMAT: 'opaque', ...grantEnv })
  const byKey: Record<ServerKey, BenchServer> = { hs, hsMetricsOff, es, sharedA, fastify: fastifyPeer, express: expressPeer, oidc: oidcPeer, oidcOpaque }
  const servers = [...Object.values(byKey), sharedB, ...relying.servers]

  // Revocation "on" means a live revocation list: log out a few sessions on B, which A hears of through Redis.
  for (let i = 0; i < 20; i++) {
    const login = await fetch(`${sharedB.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: sharedB.info.username, password: sharedB.info.password }) })
    const { access_token: token } = await login.json() as { access_token: string }
    await fetch(`${sharedB.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  }

  interface Case extends RelyingCase { peer: boolean, grant?: GrantMethod, introspect?: true, exchange?: true }
  const bearer = (token: string | undefined): Record<string, string> => token === undefined ? {} : { authorization: `Bearer ${token}` }
  const cases: Case[] = CASES.filter((c) => options.cases?.includes(c.id) ?? true).map((c) => ({
    id: c.id,
    label: c.label,
    server: byKey[c.server],
    path: c.path,
    ...(c.token === undefined ? {} : { token: byKey[c.token].info.token }),
    ...(c.baseline === undefined ? {} : { baseline: c.baseline }),
    peer: c.peer === true,
    ...(c.grant === undefined ? {} : { grant: c.grant }),
    ...(c.introspect === undefined ? {} : { introspect: c.introspect }),
    ...(c.exchange === undefined ? {} : { exchange: c.exchange })
  }))
  cases.push(...relying.cases.filter((c) => options.cases?.includes(c.id) ?? true).map((c) => ({ ...c, peer: c.id !== 'rs-tollgate' && !c.label.startsWith('(b)') })))
  const measured = (...ids: string[]) => ids.every((id) => cases.some((c) => c.id === id))

  const grantLoads = new Map(cases.flatMap((c) => c.grant === undefined ? [] : [[c.id, grantLoad(c.server, c.grant, clients)] as const]))
  // The last rate seen per case: how many assertions the next measurement of a grant case needs.
  const lastRate = new Map<string, number>()
  const introspectionLoads = new Map(await Promise.all(cases.filter((c) => c.introspect === true)
    .map(async (c) => [c.id, await introspectionLoad(c.server, clients)] as const)))
  const exchangeLoads = new Map(cases.flatMap((c) => c.exchange === true ? [[c.id, exchangeLoad(c.server, clients)] as const] : []))
  async function load (c: Case, seconds: number): Promise<Measurement> {
    const introspection = introspectionLoads.get(c.id) ?? exchangeLoads.get(c.id)
    if (introspection !== undefined) return introspection({ connections, durationSeconds: seconds })
    const grant = grantLoads.get(c.id)
    const result = grant === undefined
      ? await measure({
        url: c.server.url + c.path,
        headers: bearer(c.token),
        ...(c.tokens === undefined ? {} : { tokens: c.tokens }),
        ...(c.expectStatus === undefined ? {} : { expectStatus: c.expectStatus }),
        connections,
        durationSeconds: seconds
      })
      : await grant({ connections, durationSeconds: seconds, expectedRate: lastRate.get(c.id) ?? 10_000 })
    lastRate.set(c.id, Math.max(result.requestsPerSecond, lastRate.get(c.id) ?? 0))
    return result
  }

  /**
   * One measurement, with the server's own CPU time per answered request: unlike requests/s, it does not
   * depend on how fast the load generator (on the same two cores) can send and parse.
   */
  async function measureCase (c: Case, seconds: number): Promise<Measurement & { cpuMicrosPerRequest: number }> {
    const before = await serverStats(c.server, false)
    const result = await load(c, seconds)
    const after = await serverStats(c.server, false)
    return { ...result, cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.total) }
  }

  console.log(`warming up ${cases.length} cases…`)
  for (const c of cases) {
    const warm = await load(c, quick ? 1 : 2)
    if (warm.unexpected > 0) throw new Error(`${c.label}: ${warm.unexpected} answers without status ${c.expectStatus ?? '2xx'}, or errors, while warming up`)
  }

  const results = new Map<string, Array<Measurement & { cpuMicrosPerRequest: number }>>(cases.map((c) => [c.id, []]))
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round} of ${rounds}…`)
    for (const c of cases) results.get(c.id)!.push(await measureCase(c, duration))
  }

  const summary = new Map(cases.map((c) => {
    const runs = results.get(c.id)!
    return [c.id, {
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      cpu: median(runs.map((r) => r.cpuMicrosPerRequest)),
      bad: runs.reduce((n, r) => n + r.unexpected, 0)
    }]
  }))
  const rps = (id: string) => summary.get(id)!.rps

  const machine = `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})`
  console.log(`\n${machine}, autocannon ${connections} connections, ${rounds} rounds of ${duration} s per case\n`)
  console.log(table(['case', 'req/s', 'p50 ms', 'p99 ms', 'server µs/req', 'ratio', 'to', 'non-2xx'], cases.map((c) => {
    const s = summary.get(c.id)!
    const ratio = c.baseline === undefined ? '1.00' : measured(c.baseline) ? (s.rps / rps(c.baseline)).toFixed(2) : '–'
    return [c.label, s.rps.toFixed(0), s.p50.toFixed(1), s.p99.toFixed(1), s.cpu.toFixed(1), ratio, c.baseline ?? '', String(s.bad)]
  })))

  mkdirSync(dirname(options.chart), { recursive: true })
  writeFileSync(options.chart, benchChart(cases.map((c) => ({ label: c.label, requestsPerSecond: rps(c.id), p99: summary.get(c.id)!.p99, peer: c.peer })),
    `${machine}; ${connections} connections, median of ${rounds} rounds of ${duration} s per case`))
  console.log(`\nchart written to ${options.chart}`)

  const cpu = (id: string) => summary.get(id)!.cpu
  // Each target twice: by requests/s as measured, and by server CPU per request (what the rate would be if
  // the server, not the load generator sharing its two cores, were the limit).
  const targets = [...TARGETS, ...relying.targets].filter(([, a, b]) => measured(a, b))
  const verdict = (value: number, wanted: number) => value >= wanted ? 'met' : 'NOT MET'
  console.log('\n' + table(['target', 'by req/s', 'by server CPU', 'wanted', 'req/s', 'CPU'], targets.map(([name, a, b, wanted]) => {
    const byRate = rps(a) / rps(b)
    const byCpu = cpu(b) / cpu(a)
    return [name, `${byRate.toFixed(2)}×`, `${byCpu.toFixed(2)}×`, `≥ ${wanted}×`, verdict(byRate, wanted), verdict(byCpu, wanted)]
  })))
  if (measured('express', 'open', 'express-open')) console.log(`\nfor comparison: Express + passport-jwt protected = ${(rps('express') / rps('open')).toFixed(2)}× Tollgate's open route, ${(rps('express') / rps('express-open')).toFixed(2)}× its own open route`)

  // Verification cost and the login storm belong to a full run, not to a quick look at a few cases.
  if (options.cases === undefined) {
    const costs = verifyCosts(quick ? 200 : 1000)
    const hsOps = costs[0]!.opsPerSecond
    console.log('\nOne verification without the cache (signature and claims), in this process:\n')
    console.log(table(['algorithm', 'verifications/s', 'vs HS256'], costs.map((c) => [c.algorithm, c.opsPerSecond.toFixed(0), `${(c.opsPerSecond / hsOps).toFixed(2)}×`])))

    const storm = await loginStorm(hs, { durationSeconds: quick ? 2 : 10, rate: Math.min(2000, Math.floor(rps('hs256') / 4)) })
    console.log('\nLogin storm (argon2id logins from 16 connections while the protected route takes a steady rate):\n')
    console.log(table(['measure', 'value', 'wanted', ''], [
      ['protected p99, idle', `${storm.idleP99.toFixed(1)} ms`, '', ''],
      ['protected p99, during the storm', `${storm.stormP99.toFixed(1)} ms`, `≤ ${(2 * storm.idleP99).toFixed(1)} ms (2× idle)`, storm.stormP99 <= 2 * storm.idleP99 ? 'met' : 'NOT MET'],
      ['event-loop delay p99, during the storm', `${storm.loopDelayP99.toFixed(1)} ms`, '< 20 ms', storm.loopDelayP99 < 20 ? 'met' : 'NOT MET'],
      ['logins/s', storm.loginsPerSecond.toFixed(1), '', ''],
      ['non-2xx on the protected route', String(storm.protectedFailures), '0', storm.protectedFailures === 0 ? 'met' : 'NOT MET']
    ]))
  }

  if (measured('grant-es-basic')) {
    const seconds = Math.max(duration, 2)
    const storm = await grantsDuringLoginStorm(es, grantLoads.get('grant-es-basic')!, { connections, durationSeconds: seconds, expectedRate: rps('grant-es-basic') })
    const kept = storm.stormed.requestsPerSecond / storm.alone.requestsPerSecond
    console.log('\nGrants during a login storm (Tollgate ES256, client_secret_basic, with argon2id logins from 16 connections):\n')
    console.log(table(['measure', 'value', 'wanted', ''], [
      ['grants/s alone', storm.alone.requestsPerSecond.toFixed(0), '', ''],
      ['grants/s during the storm', storm.stormed.requestsPerSecond.toFixed(0), `≥ ${(storm.alone.requestsPerSecond / 2).toFixed(0)} (half)`, kept >= 0.5 ? 'met' : 'NOT MET'],
      ['grant p99 alone / during the storm', `${storm.alone.p99.toFixed(1)} / ${storm.stormed.p99.toFixed(1)} ms`, '', ''],
      ['logins/s during the storm', storm.logins.requestsPerSecond.toFixed(1), '', ''],
      ['non-2xx grants', String(storm.alone.non2xx + storm.stormed.non2xx + storm.alone.errors + storm.stormed.errors), '0', '']
    ]))
  }

  if (options.soak !== undefined) {
    const result = await soak(hs, { durationSeconds: options.soak, connections })
    console.log(`\nSoak: the protected route at its peak for ${options.soak} s\n`)
    console.log(table(['measure', 'value', 'wanted', ''], [
      ['requests', String(result.total), '', ''],
      ['non-2xx and errors', String(result.failures), '0', result.failures === 0 ? 'met' : 'NOT MET'],
      ['heap after / before', `${result.heapRatio.toFixed(3)}×`, 'within 10%', Math.abs(result.heapRatio - 1) <= 0.1 ? 'met' : 'NOT MET'],
      ['RSS after / before', `${result.rssRatio.toFixed(3)}×`, 'within 10%', Math.abs(result.rssRatio - 1) <= 0.1 ? 'met' : 'NOT MET']
    ]))
  }

  await Promise.all(servers.map((server) => server.stop()))
  const failures = [...summary.values()].reduce((n, s) => n + s.bad, 0)
  if (failures > 0) {
    console.error(`\n${failures} requests failed during measurement: the numbers above are not trustworthy`)
    process.exitCode = 1
  }
}
