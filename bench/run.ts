import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '../src/auth/keys.js'
import { median, measure, type Measurement } from './lib/measure.js'
import type { Case, Target } from './lib/case.js'
import { startServer } from './lib/processes.js'
import { relyingCases } from './lib/relying-cases.js'
import { loginStorm, serverStats, soak } from './lib/scenarios.js'
import { table } from './lib/table.js'
import { verifyCosts } from './lib/verify-cost.js'

/**
 * `npm run bench`: starts every server on loopback, then measures each case in turn, round after
 * round (A B C … A B C …), so slow drift of the machine affects every case alike. Ratios compare cases
 * measured in this same run, never numbers from another machine or day.
 */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    soak: { type: 'string' },
    quick: { type: 'boolean', default: false },
    // e.g. --cases open,hs256,fastify-jwt: measure only these (targets needing others are left out)
    cases: { type: 'string' }
  }
})
const quick = values.quick === true
const duration = quick ? 1 : Number(values.duration)
const rounds = quick ? 1 : Number(values.rounds)
const connections = Number(values.connections)

const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const keyFile = join(dir, 'es256.pem')
writeFileSync(keyFile, generateKeyPair('ES256').privatePem, { mode: 0o600 })

const secret = randomBytes(32).toString('base64url')
// In production the issuer must be a URL; every peer is told the same one.
const issuer = 'https://tollgate.bench.example'
const base = { NODE_ENV: 'production', JWT_SECRET: secret, JWT_ISSUER: issuer, LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT: '100000000' }
const redis = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `bench:${process.pid}:`, DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` }

console.log('starting servers…')
const hs = await startServer('Tollgate HS256', 'tollgate', { ...base, DATABASE_URL: `sqlite:${join(dir, 'hs.db')}` })
const es = await startServer('Tollgate ES256', 'tollgate', { ...base, DATABASE_URL: `sqlite:${join(dir, 'es.db')}`, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: keyFile })
const sharedA = await startServer('Tollgate + Redis, instance A', 'tollgate', { ...base, ...redis })
const sharedB = await startServer('Tollgate + Redis, instance B', 'tollgate', { ...base, ...redis })
const fastifyPeer = await startServer('Fastify + @fastify/jwt', 'relying-service', { GUARD: 'fastify-jwt', JWT_SECRET: secret, ISSUER: issuer })
const expressPeer = await startServer('Express + passport-jwt', 'express-passport', { JWT_SECRET: secret, ISSUER: issuer })
const relying = await relyingCases({ tollgate: es, keyFile, secret })
const servers = [hs, es, sharedA, sharedB, fastifyPeer, expressPeer, ...relying.servers]

// Revocation "on" means a live revocation list: log out a few sessions on B, which A hears of through Redis.
for (let i = 0; i < 20; i++) {
  const login = await fetch(`${sharedB.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: sharedB.info.username, password: sharedB.info.password }) })
  const { access_token: token } = await login.json() as { access_token: string }
  await fetch(`${sharedB.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
}

const bearer = (token: string | undefined): Record<string, string> => token === undefined ? {} : { authorization: `Bearer ${token}` }
const allCases: Case[] = [
  { id: 'open', label: 'Tollgate, open route (baseline)', server: hs, path: '/bench/open' },
  // The open route sent the very same request bytes as the protected one: what is left is the guard.
  { id: 'open-token', label: 'Tollgate, open route, request carrying the token', server: hs, path: '/bench/open', token: hs.info.token, baseline: 'open' },
  { id: 'hs256', label: 'Tollgate, protected, HS256', server: hs, path: '/bench/protected', token: hs.info.token, baseline: 'open' },
  { id: 'role', label: 'Tollgate, protected + role check', server: hs, path: '/bench/admin', token: hs.info.token, baseline: 'open' },
  { id: 'es256', label: 'Tollgate, protected, ES256', server: es, path: '/bench/protected', token: es.info.token, baseline: 'open' },
  { id: 'revocation', label: 'Tollgate, protected, revocation on (Redis, 2 instances)', server: sharedA, path: '/bench/protected', token: sharedA.info.token, baseline: 'hs256' },
  { id: 'fastify-jwt', label: 'Fastify + @fastify/jwt, protected', server: fastifyPeer, path: '/bench/protected', token: hs.info.token, baseline: 'rs-none' },
  { id: 'express-open', label: 'Express + passport-jwt, open route', server: expressPeer, path: '/bench/open', baseline: 'open' },
  { id: 'express', label: 'Express + passport-jwt, protected', server: expressPeer, path: '/bench/protected', token: hs.info.token, baseline: 'express-open' },
  ...relying.cases
]

const only = values.cases?.split(',')
const cases = only === undefined ? allCases : allCases.filter((c) => only.includes(c.id))
const measured = (...ids: string[]) => ids.every((id) => cases.some((c) => c.id === id))

const load = (c: Case, seconds: number) => measure({
  url: c.server.url + c.path,
  headers: bearer(c.token),
  ...(c.tokens === undefined ? {} : { tokens: c.tokens }),
  ...(c.expectStatus === undefined ? {} : { expectStatus: c.expectStatus }),
  connections,
  durationSeconds: seconds
})

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

console.log(`\nNode ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), autocannon ${connections} connections, ${rounds} rounds of ${duration} s per case\n`)
console.log(table(['case', 'req/s', 'p50 ms', 'p99 ms', 'server µs/req', 'ratio', 'to', 'unexpected'], cases.map((c) => {
  const s = summary.get(c.id)!
  const ratio = c.baseline === undefined ? '1.00' : measured(c.baseline) ? (s.rps / rps(c.baseline)).toFixed(2) : '–'
  return [c.label, s.rps.toFixed(0), s.p50.toFixed(1), s.p99.toFixed(1), s.cpu.toFixed(1), ratio, c.baseline ?? '', String(s.bad)]
})))

const cpu = (id: string) => summary.get(id)!.cpu
// Each target twice: by requests/s as measured, and by server CPU per request (what the rate would be if
// the server, not the load generator sharing its two cores, were the limit).
const targets = ([
  ['protected HS256 / open route', 'hs256', 'open', 0.92],
  ['protected HS256 / Fastify + @fastify/jwt protected', 'hs256', 'fastify-jwt', 2],
  ['revocation on / revocation off', 'revocation', 'hs256', 0.95],
  ...relying.targets
] satisfies Target[]).filter(([, a, b]) => measured(a, b))
const verdict = (value: number, wanted: number) => value >= wanted ? 'met' : 'NOT MET'
console.log('\n' + table(['target', 'by req/s', 'by server CPU', 'wanted', 'req/s', 'CPU'], targets.map(([name, a, b, wanted]) => {
  const byRate = rps(a) / rps(b)
  const byCpu = cpu(b) / cpu(a)
  return [name, `${byRate.toFixed(2)}×`, `${byCpu.toFixed(2)}×`, `≥ ${wanted}×`, verdict(byRate, wanted), verdict(byCpu, wanted)]
})))
if (measured('express', 'open', 'express-open')) console.log(`\nfor comparison: Express + passport-jwt protected = ${(rps('express') / rps('open')).toFixed(2)}× Tollgate's open route, ${(rps('express') / rps('express-open')).toFixed(2)}× its own open route`)

// Verification cost and the login storm belong to a full run, not to a quick look at a few cases.
if (only === undefined) {
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

if (values.soak !== undefined) {
  const result = await soak(hs, { durationSeconds: Number(values.soak), connections })
  console.log(`\nSoak: the protected route at its peak for ${values.soak} s\n`)
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
