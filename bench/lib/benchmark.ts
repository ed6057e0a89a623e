import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { dirname } from 'node:path'
import { startBenchServers } from './bench-servers.js'
import type { Case as RelyingCase, CaseLoad } from './case.js'
import { CASES, casesToMeasure, TARGETS, type CaseDefinition } from './cases.js'
import { benchChart } from './chart.js'
import { exchangeLoad } from './exchanges.js'
import { FLOORS, floorTables, operationCosts } from './floors.js'
import { floorRouteLoad, grantLoad, type BenchClients } from './grants.js'
import { introspectionLoad } from './introspections.js'
import { median, measure, type Measurement } from './measure.js'
import type { BenchOptions } from './options.js'
import type { BenchServer } from './processes.js'
import { serverStats } from './scenarios.js'
import { grantStormTable, loginStormTable, soakTable, verifyCostTable } from './scenario-tables.js'
import { codeLoad, refreshLoad } from './session-grants.js'
import { table } from './table.js'

interface Case extends RelyingCase { peer: boolean, load?: CaseLoad, beside?: string }
type Result = Measurement & { cpuMicrosPerRequest: number, loggedBytesPerRequest: number }

/**
 * Waits until a server has written all it logged (for at most 5 s): one logging faster than the pipe is
 * read holds the rest in memory and writes it after the load, which is still the load's cost.
 */
async function loggingDone (server: BenchServer): Promise<void> {
  for (let wait = 0; wait < 50; wait++) {
    const seen = server.loggedBytes()
    await new Promise((resolve) => setTimeout(resolve, 100))
    if (server.loggedBytes() === seen) return
  }
}

/** How a case other than a GET is loaded. */
async function loadOf (c: CaseDefinition, server: BenchServer, clients: BenchClients): Promise<CaseLoad | undefined> {
  if (c.grant !== undefined) return grantLoad(server, c.grant, clients)
  if (c.introspect === true) return await introspectionLoad(server, clients)
  if (c.exchange === true) return exchangeLoad(server, clients)
  if (c.refresh === true) return refreshLoad(server)
  if (c.code === true) return codeLoad(server)
  if (c.floorRoute === true) return floorRouteLoad(server, clients)
  return undefined
}

/**
 * `npm run bench` once its options are read: starts every server on loopback, then measures each case in
 * turn, round after round (A B C … A B C …), so slow drift of the machine affects every case alike.
 * Ratios compare cases measured in this same run, never numbers from another machine or day.
 */
export async function runBenchmark (options: BenchOptions): Promise<void> {
  const { quick, connections } = options
  const duration = quick ? 1 : options.duration
  const rounds = quick ? 1 : options.rounds
  const { byKey, all: servers, relying, clients } = await startBenchServers({ profileDir: options.profile })

  const wanted = casesToMeasure(options.cases)
  const added = [...wanted].filter((id) => options.cases !== undefined && !options.cases.includes(id))
  if (added.length > 0) console.log(`also measured, for the tables that compare with them: ${added.join(', ')}`)
  const bearer = (token: string | undefined): Record<string, string> => token === undefined ? {} : { authorization: `Bearer ${token}` }
  const cases: Case[] = await Promise.all(CASES.filter((c) => wanted.has(c.id)).map(async (c): Promise<Case> => {
    const load = await loadOf(c, byKey[c.server], clients)
    return {
      id: c.id,
      label: c.label,
      server: byKey[c.server],
      path: c.path,
      ...(c.token === undefined ? {} : { token: byKey[c.token].info.token }),
      ...(c.baseline === undefined ? {} : { baseline: c.baseline }),
      ...(c.beside === undefined ? {} : { beside: c.beside }),
      peer: c.peer === true,
      ...(load === undefined ? {} : { load })
    }
  }))
  cases.push(...relying.cases.filter((c) => options.cases?.includes(c.id) ?? true).map((c) => ({ ...c, peer: c.id !== 'rs-tollgate' && !c.label.startsWith('(b)') })))
  const measured = (...ids: string[]) => ids.every((id) => cases.some((c) => c.id === id))

  // The last rate seen per case: how many one-use credentials (assertions, refresh tokens, codes) the next
  // measurement of it needs, with room for a faster round.
  const lastRate = new Map<string, number>()
  const requestsFor = (id: string, seconds: number) => Math.ceil((lastRate.get(id) ?? 10_000) * seconds * 1.5) + 1000
  async function load (c: Case, seconds: number): Promise<Measurement> {
    const result = c.load !== undefined
      ? await c.load.run({ connections, durationSeconds: seconds })
      : await measure({
        url: c.server.url + c.path,
        headers: bearer(c.token),
        ...(c.tokens === undefined ? {} : { tokens: c.tokens }),
        ...(c.expectStatus === undefined ? {} : { expectStatus: c.expectStatus }),
        connections,
        durationSeconds: seconds
      })
    lastRate.set(c.id, Math.max(result.requestsPerSecond, lastRate.get(c.id) ?? 0))
    return result
  }

  /**
   * One measurement, with the server's own CPU time per answered request: unlike requests/s, it does not
   * depend on how fast the load generator (on the same two cores) can send and parse. One-use credentials
   * are made before the server's CPU time is read.
   */
  async function measureCase (c: Case, seconds: number): Promise<Result> {
    await c.load?.prepare?.(requestsFor(c.id, seconds))
    await loggingDone(c.server)
    const logged = c.server.loggedBytes()
    const before = await serverStats(c.server, false)
    const result = await load(c, seconds)
    await loggingDone(c.server)
    const after = await serverStats(c.server, false)
    const total = Math.max(1, result.total)
    return { ...result, cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / total, loggedBytesPerRequest: (c.server.loggedBytes() - logged) / total }
  }

  console.log(`warming up ${cases.length} cases…`)
  for (const c of cases) {
    await c.load?.prepare?.(requestsFor(c.id, quick ? 1 : 2))
    const warm = await load(c, quick ? 1 : 2)
    if (warm.unexpected > 0) throw new Error(`${c.label}: ${warm.unexpected} answers without status ${c.expectStatus ?? '2xx'}, or errors, while warming up`)
  }

  const results = new Map<string, Result[]>(cases.map((c) => [c.id, []]))
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round} of ${rounds}…`)
    for (const c of cases) results.get(c.id)!.push(await measureCase(c, duration))
  }

  const summary = new Map(cases.map((c) => {
    const runs = results.get(c.id)!
    const of = (value: (r: Result) => number) => median(runs.map(value))
    return [c.id, {
      rps: of((r) => r.requestsPerSecond),
      p50: of((r) => r.p50),
      p99: of((r) => r.p99),
      cpu: of((r) => r.cpuMicrosPerRequest),
      logged: of((r) => r.loggedBytesPerRequest),
      bad: runs.reduce((n, r) => n + r.unexpected, 0)
    }]
  }))
  const rps = (id: string) => summary.get(id)!.rps
  const cpu = (id: string) => summary.get(id)!.cpu

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

  // Each target twice: by requests/s as measured, and by server CPU per request (what the rate would be if
  // the server, not the load generator sharing its two cores, were the limit).
  const targets = [...TARGETS, ...relying.targets].filter(([, a, b]) => measured(a, b))
  const verdict = (value: number, wanted: number) => value >= wanted ? 'met' : 'NOT MET'
  if (targets.length > 0) {
    console.log('\n' + table(['target', 'by req/s', 'by server CPU', 'wanted', 'req/s', 'CPU'], targets.map(([name, a, b, wanted]) => {
      const byRate = rps(a) / rps(b)
      const byCpu = cpu(b) / cpu(a)
      return [name, `${byRate.toFixed(2)}×`, `${byCpu.toFixed(2)}×`, `≥ ${wanted}×`, verdict(byRate, wanted), verdict(byCpu, wanted)]
    })))
  }
  if (measured('express', 'open', 'express-open')) console.log(`\nfor comparison: Express + passport-jwt protected = ${(rps('express') / rps('open')).toFixed(2)}× Tollgate's open route, ${(rps('express') / rps('express-open')).toFixed(2)}× its own open route`)

  if (cases.some((c) => FLOORS[c.id] !== undefined)) {
    console.log('\nGrants against their floor: the open route\'s CPU on the same server plus the cryptography the grant must do, timed here with node:crypto:\n')
    console.log(floorTables(cases, (id) => measured(id) ? cpu(id) : undefined, operationCosts(quick ? 100 : 300)))
  }
  const beside = cases.filter((c) => c.beside !== undefined && measured(c.beside))
  if (beside.length > 0) {
    console.log('\nAs deployed: LOG_LEVEL=info, every log line read from a pipe, against the same case at LOG_LEVEL=warn:\n')
    console.log(table(['case', 'µs/req at warn', 'µs/req at info', 'info / warn by CPU', 'info / warn by req/s', 'log bytes/req'], beside.map((c) => {
      const warn = c.beside!
      return [c.label, cpu(warn).toFixed(1), cpu(c.id).toFixed(1), `${(cpu(c.id) / cpu(warn)).toFixed(2)}×`, `${(rps(c.id) / rps(warn)).toFixed(2)}×`, summary.get(c.id)!.logged.toFixed(0)]
    })))
  }

  // Verification cost and the login storm belong to a full run, not to a quick look at a few cases.
  if (options.cases === undefined) {
    console.log(verifyCostTable(quick))
    console.log(await loginStormTable(byKey.hs, { quick, rate: Math.min(2000, Math.floor(rps('hs256') / 4)) }))
  }
  const basic = cases.find((c) => c.id === 'grant-es-basic')
  if (basic?.load !== undefined) {
    const seconds = Math.max(duration, 2)
    console.log(await grantStormTable(byKey.es, basic.load, { connections, durationSeconds: seconds, requests: requestsFor(basic.id, seconds) }))
  }
  if (options.soak !== undefined) console.log(await soakTable(byKey.hs, { seconds: options.soak, connections }))

  await Promise.all(servers.map((server) => server.stop()))
  if (options.profile !== undefined) {
    console.log(`\nCPU profiles written to ${options.profile}: ${readdirSync(options.profile).filter((name) => name.endsWith('.cpuprofile')).join(', ')}`)
  }
  const failures = [...summary.values()].reduce((n, s) => n + s.bad, 0)
  if (failures > 0) {
    console.error(`\n${failures} requests failed during measurement: the numbers above are not trustworthy`)
    process.exitCode = 1
  }
}
