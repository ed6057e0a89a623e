import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { mb, printFaultReport } from './fault-report.js'
import { logErrors, startInstance, tollgateCli, type Instance } from './fault-instances.js'
import { SoakLoad } from './fault-load.js'
import { startPostgres, startRedis } from './fault-stores.js'
import { Tally, type FaultKind, type FaultWindow } from './fault-tally.js'
import { freePort } from './free-port.js'
import { startServer } from './processes.js'

/** Concurrent users and services of the load: bounded, so the load is steady rather than all it can be. */
const USERS = 3
const SERVICES = 2
/**
 * How long after the last fault ended the ended tokens are all presented again: a relying service that
 * lost its feed reconnects after a jittered backoff of up to 30 s (@tollgate/auth's maxBackoffMs).
 */
const SETTLE_MS = 35_000

/**
 * `npm run bench -- --soak-faults`: two Tollgate instances on a PostgreSQL and a Redis of the soak's
 * own, and a relying service following the revocation feed, under a steady mixed load for `seconds`,
 * while Redis is stopped and started, PostgreSQL restarted and one instance killed and started again.
 */
export async function runFaultSoak (seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-fault-soak-'))
  // An interrupted soak still runs the exit handlers that stop what it started.
  process.once('SIGINT', () => process.exit(130))
  console.log(`fault soak for ${seconds} s; starting a PostgreSQL and a Redis of its own…`)
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const postgres = await startPostgres()
  const redis = await startRedis(dir)

  const keyFile = join(dir, 'es256.pem')
  writeFileSync(keyFile, generateKeyPair('ES256').privatePem, { mode: 0o600 })
  const [portA, portB] = [await freePort(), await freePort()]
  // One issuer for the fleet, as in production: every instance signs for the URL clients reach.
  const issuer = `http://127.0.0.1:${portA}`
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    PUBLIC_URL: issuer,
    JWT_ISSUER: issuer,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    JWT_ALGORITHM: 'ES256',
    JWT_PRIVATE_KEY_FILE: keyFile,
    ACCESS_TOKEN_TTL: '3600',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    LOGIN_RATE_LIMIT: '100000000',
    INTROSPECTION_RATE_LIMIT: '100000000'
  }
  const logs = { A: join(dir, 'a.log'), B: join(dir, 'b.log') }
  const a = await startInstance('A', portA, env, logs.A)
  const b = await startInstance('B', portB, env, logs.B)

  const username = 'soak-user'
  const password = randomBytes(18).toString('base64url')
  await tollgateCli(['user', 'add', username], env, `${password}\n`)
  const serviceSecret = (await tollgateCli(['client', 'add', 'soak-service', '--permissions', 'introspect'], env)).split('\n')[0]!.trim()
  const followerSecret = (await tollgateCli(['client', 'add', 'soak-follower', '--permissions', 'revocations'], env)).split('\n')[0]!.trim()
  const relying = await startServer('relying service', 'relying-service', {
    GUARD: 'tollgate',
    ISSUER: issuer,
    JWKS_URL: `${issuer}/.well-known/jwks.json`,
    REVOCATIONS_CLIENT_ID: 'soak-follower',
    REVOCATIONS_CLIENT_SECRET: followerSecret
  })

  const windows: FaultWindow[] = []
  const tally = new Tally(windows)
  const load = new SoakLoad({
    instances: [a, b],
    relying: relying.url,
    username,
    password,
    client: { id: 'soak-service', secret: serviceSecret }
  }, tally)
  const rss: Record<string, { start: number, end?: number, note?: string }> = { A: { start: a.rss() }, B: { start: b.rss() } }
  const loadBefore = loadavg()
  const begin = Date.now()
  console.log(`load running against ${a.url}, ${b.url} and ${relying.url}`)
  const workers = [
    ...Array.from({ length: USERS }, () => load.user()),
    ...Array.from({ length: SERVICES }, () => load.service()),
    load.watcher()
  ]

  async function fault (kind: FaultKind, at: number, down: () => Promise<void>, outageMs: number, up: () => Promise<void>, target?: string): Promise<void> {
    await sleep(Math.max(0, begin + at * seconds * 1000 - Date.now()))
    const window: FaultWindow = { kind, start: Date.now(), ...(target === undefined ? {} : { target }) }
    windows.push(window)
    console.log(`${((window.start - begin) / 1000).toFixed(0)} s: ${kind} down`)
    await down()
    await sleep(outageMs)
    await up()
    window.end = Date.now()
    console.log(`${((window.end - begin) / 1000).toFixed(0)} s: ${kind} back after ${((window.end - window.start) / 1000).toFixed(1)} s`)
  }
  await fault('redis', 0.2, () => redis.stop(), 10_000, () => redis.start())
  await fault('postgres', 0.45, () => postgres.stop(), 5000, () => postgres.start())
  await fault('kill', 0.7, async () => { rss.A!.note = `${mb(a.rss())} when killed`; await a.kill() }, 3000, () => a.start(), 'A')

  await sleep(SETTLE_MS)
  const acceptedAfterSettling = await load.sweep()
  await sleep(Math.max(0, begin + seconds * 1000 - Date.now()))
  rss.A!.end = a.rss()
  rss.B!.end = b.rss()
  load.stop()
  await Promise.all(workers)
  const elapsed = (Date.now() - begin) / 1000
  const acceptedAtEnd = await load.sweep()

  const failed = printFaultReport({
    seconds: elapsed,
    loadBefore,
    loadAfter: loadavg(),
    tally,
    windows,
    begin,
    watched: load.watched,
    acceptedAfterSettling,
    settleSeconds: SETTLE_MS / 1000,
    acceptedAtEnd,
    rss,
    logErrors: { A: logErrors(logs.A), B: logErrors(logs.B) }
  })
  await Promise.all([relying.stop(), ...[a, b].map((instance: Instance) => instance.stop())])
  await redis.stop()
  await postgres.stop()
  if (failed) process.exitCode = 1
}
