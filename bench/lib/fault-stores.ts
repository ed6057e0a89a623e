import { execFile, execFileSync, type ChildProcess } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { freePort } from './free-port.js'
import { spawnTracked, stopProcess } from './processes.js'

/**
 * The fault soak's own PostgreSQL and Redis, on free ports with data in a temporary folder, so it can
 * stop and start them: the machine's shared servers are never touched.
 */

const run = promisify(execFile)

export interface Service {
  url: string
  stop (): Promise<void>
  start (): Promise<void>
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort (port: number, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await sleep(100)
  }
}

/** PostgreSQL refuses to run as root: then its commands run as the `postgres` user, in a folder it owns. */
function asPostgresUser (dir: string): string[] {
  if (process.getuid?.() !== 0) return []
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
  chownSync(dir, uid, gid)
  return ['runuser', '-u', 'postgres', '--']
}

/**
 * A new cluster in a temporary folder of its own (initdb, trust on loopback), started with pg_ctl; its
 * `postgres` database is the URL. Stopped and removed however the runner ends.
 */
export async function startPostgres (): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-fault-soak-pg-'))
  const prefix = asPostgresUser(dir)
  const commandLine = (command: string, args: string[]): [string, string[]] => [prefix[0] ?? command, [...prefix.slice(1), ...(prefix.length > 0 ? [command] : []), ...args]]
  const pg = (command: string, args: string[]) => run(...commandLine(command, args), { cwd: dir })
  const data = join(dir, 'data')
  // pg_ctl leaves the server running on its own: stop it and remove the folder however the runner ends.
  process.on('exit', () => {
    try { execFileSync(...commandLine('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore' }) } catch {}
    rmSync(dir, { recursive: true, force: true })
  })
  const port = await freePort()
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  // Its own socket folder and loopback only: nothing shared with the machine's server on 5432.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`
  const ctl = (...args: string[]) => pg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args])
  const service: Service = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start () { await ctl('-o', serverOptions, 'start') },
    async stop () { await ctl('-m', 'fast', 'stop') }
  }
  await service.start()
  return service
}

/** redis-server on a free port, keeping nothing on disk: a restart starts empty, as a cache may. */
export async function startRedis (dir: string): Promise<Service> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const service: Service = {
    url: `redis://127.0.0.1:${port}`,
    async start () {
      child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
      await waitForPort(port)
    },
    async stop () { if (child !== undefined) await stopProcess(child) }
  }
  await service.start()
  return service
}
