import { execFile, type ChildProcess } from 'node:child_process'
import { openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnTracked, stopProcess } from './processes.js'

/** The built server and CLI, as an operator runs them (`npm run bench` builds first). */
const DIST = join(import.meta.dirname, '..', '..')

export interface Instance {
  name: string
  url: string
  /** Resident memory of the running process, in bytes (Linux /proc). */
  rss (): number
  /** SIGKILL: no shutdown, no goodbye to the store or the feed's followers. */
  kill (): Promise<void>
  /** Starts it again on the same port and resolves once /health answers. */
  start (): Promise<void>
  stop (): Promise<void>
}

async function healthy (url: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok) return
    } catch {}
    if (Date.now() > end) throw new Error(`${url} did not answer /health within ${timeoutMs} ms`)
    await sleep(200)
  }
}

/** `node dist/server.js` on 127.0.0.1:`port`, its log appended to `logFile`. */
export async function startInstance (name: string, port: number, env: Record<string, string>, logFile: string): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const instance: Instance = {
    name,
    url,
    rss () {
      const status = readFileSync(`/proc/${child?.pid}/status`, 'utf8')
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    },
    async kill () { if (child !== undefined) await stopProcess(child, 'SIGKILL') },
    async start () {
      const log = openSync(logFile, 'a')
      child = spawnTracked(process.execPath, [join(DIST, 'server.js')], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', log, log]
      })
      await healthy(url)
    },
    async stop () { if (child !== undefined) await stopProcess(child) }
  }
  await instance.start()
  return instance
}

/** `node dist/cli.js …` with `env`; resolves with its standard output, rejects with its error. */
export function tollgateCli (args: string[], env: Record<string, string>, input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [join(DIST, 'cli.js'), ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new Error(`tollgate ${args.join(' ')} failed: ${stderr}`))
    })
    child.stdin?.end(input)
  })
}

/** The log lines at level error or worse (pino: 50 and up), message and count. */
export function logErrors (logFile: string): Map<string, number> {
  const errors = new Map<string, number>()
  const count = (key: string) => errors.set(key, (errors.get(key) ?? 0) + 1)
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    let entry: { level?: number, msg?: string }
    try {
      entry = JSON.parse(line)
    } catch {
      // A stack trace or anything else outside the logger.
      count(`(not a log line) ${line.slice(0, 120)}`)
      continue
    }
    if ((entry.level ?? 0) >= 50) count(String(entry.msg))
  }
  return errors
}
