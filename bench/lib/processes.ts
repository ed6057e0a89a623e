import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export interface BenchServer {
  name: string
  url: string
  /** What the server announced besides its port (a token, credentials). */
  info: Record<string, string>
  /** Bytes it has written to its standard output since it announced itself: its log lines. */
  loggedBytes (): number
  stop (): Promise<void>
}

const running = new Set<ChildProcess>()
// Whatever happens to the runner, no server outlives it.
process.on('exit', () => { for (const child of running) child.kill('SIGKILL') })

/** Spawns a process that is killed when the runner exits, however it exits. */
export function spawnTracked (command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options)
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** Sends `signal` (SIGTERM by default) and waits until the process has ended. */
export async function stopProcess (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill(signal)
  await exited
}

/**
 * The announcement (servers/report.ts), told from the log lines a server may write before it: JSON with a
 * port and without pino's `level`. Undefined for a line that is neither.
 */
function announcement (line: string): Record<string, unknown> | 'log line' | undefined {
  let parsed: unknown
  try { parsed = JSON.parse(line) } catch { return undefined }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  return 'level' in parsed ? 'log line' : 'port' in parsed ? parsed as Record<string, unknown> : undefined
}

/** A file name from a server's name: "Tollgate ES256, LOG_LEVEL=info" gives tollgate-es256-log-level-info. */
const fileName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

/** Node's options for a server profiled while it runs: its CPU profile is written to `dir` when it ends. */
export const profileArgs = (dir: string, name: string): string[] =>
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${fileName(name)}.cpuprofile`]

/**
 * Starts `bench/servers/<script>.js` with `env` (and `nodeArgs` for Node) and waits for its announcement.
 * Its standard output is read to the end, as a log collector reads it, so a server logging every request
 * never waits on a full pipe.
 */
export async function startServer (name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<BenchServer> {
  const child = spawnTracked(process.execPath, ['--expose-gc', ...nodeArgs, join(import.meta.dirname, '..', 'servers', `${script}.js`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let logged = 0
  const lines = createInterface({ input: child.stdout! })
  const announced = new Promise<Record<string, unknown>>((resolve, reject) => {
    const read = (line: string): void => {
      const found = announcement(line)
      if (found === 'log line') return
      if (found === undefined) {
        reject(new Error(`${name} printed ${line.slice(0, 200)}`))
        return
      }
      // From here on only counted: splitting lines would take the load generator's share of the cores.
      lines.close()
      child.stdout!.on('data', (chunk: Buffer) => { logged += chunk.length }).resume()
      resolve(found)
    }
    lines.on('line', read)
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it listened`)))
  })
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const { port, ...info } = await announced.finally(() => clearTimeout(timeout))
  return {
    name,
    url: `http://127.0.0.1:${String(port)}`,
    info: info as Record<string, string>,
    loggedBytes: () => logged,
    stop: () => stopProcess(child)
  }
}
