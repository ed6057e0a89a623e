import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { TEST_ISSUER } from './forge.js'

const ROOT = join(import.meta.dirname, '..', '..')
export const SERVER_SCRIPT = join(ROOT, 'dist', 'server.js')
export const CLI_SCRIPT = join(ROOT, 'dist', 'cli.js')

interface Teardown { teardown (fn: () => unknown): void }

export interface TollgateProcess {
  readonly child: ChildProcess
  /** Everything it wrote so far, for assertions and failure messages. */
  output (): { stdout: string, stderr: string }
  /** Whether it is still running. */
  running (): boolean
  /** Resolves with `http://127.0.0.1:PORT`, read from the server's own "listening" log line; rejects if it exits or stays silent. */
  listening (): Promise<string>
  /** Resolves with the exit code once the process has ended. */
  exited (): Promise<number | null>
  /** Sends SIGTERM and waits for the process to end. */
  stop (): Promise<void>
}

export interface ListeningTollgate extends TollgateProcess {
  readonly url: string
}

export interface SpawnOptions {
  /** The whole environment of the process (PATH is added); PORT=0, HOST=127.0.0.1, LOG_LEVEL=info, PUBLIC_URL=TEST_ISSUER and METRICS_PORT=0 are the defaults, and `undefined` leaves one unset. */
  env: Record<string, string | undefined>
  /** Its working directory: give it an empty one (t.testdir()), so no `.env` or `./data` of the checkout is read. */
  cwd: string
  /** How long it may take to listen. */
  startTimeoutMs?: number
  /** Another Fastify program to run with Node.js instead of the server (a script and its arguments). */
  script?: string[]
}

const LISTENING = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/

/**
 * Starts `node dist/server.js` as an operator would, and kills it when the test ends, whatever happened.
 * The build comes first: `npm test` runs it before tap.
 */
export function spawnTollgate (t: Teardown, { env, cwd, startTimeoutMs = 30_000, script }: SpawnOptions): TollgateProcess {
  if (script === undefined && !existsSync(SERVER_SCRIPT)) {
    throw new Error(`${SERVER_SCRIPT} is missing: run \`npm run build\` first (\`npm test\` builds before running tap)`)
  }
  const child = spawn(process.execPath, script ?? [SERVER_SCRIPT], {
    cwd,
    // Metrics off unless asked for: servers started side by side would all want METRICS_PORT's fixed default.
    env: Object.fromEntries(Object.entries({ PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', PUBLIC_URL: TEST_ISSUER, METRICS_PORT: '0', ...env })
      .filter((entry): entry is [string, string] => entry[1] !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exit = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)))
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  t.teardown(async () => {
    if (running()) child.kill('SIGKILL')
    await exit
  })

  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish()
      reject(new Error(`Tollgate (pid ${child.pid}) did not listen within ${startTimeoutMs} ms:\n${stdout}\n${stderr}`))
    }, startTimeoutMs)
    const look = (): void => {
      const match = LISTENING.exec(stdout)
      if (match?.[1] === undefined) return
      finish()
      resolve(match[1])
    }
    const onExit = (): void => {
      finish()
      reject(new Error(`Tollgate exited (code ${child.exitCode}, signal ${child.signalCode}) before listening:\n${stdout}\n${stderr}`))
    }
    function finish (): void {
      clearTimeout(timer)
      child.stdout.off('data', look)
      child.off('close', onExit)
    }
    child.stdout.on('data', look)
    child.once('close', onExit)
    look()
  })
  // A test that only waits for the exit never asks for the URL: its rejection is not a failure then.
  url.catch(() => {})

  async function stop (): Promise<void> {
    if (running()) child.kill('SIGTERM')
    await exit
  }

  return { child, output: () => ({ stdout, stderr }), running, listening: () => url, exited: () => exit, stop }
}

/** Spawns Tollgate on an ephemeral port and resolves once it listens; one that exits or stays silent fails with its output. */
export async function startTollgate (t: Teardown, options: SpawnOptions): Promise<ListeningTollgate> {
  const server = spawnTollgate(t, options)
  return { ...server, url: await server.listening() }
}

export interface CliProcessRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the built `tollgate` as its own process, as `npx tollgate` does: the file itself, through its
 * shebang (so it must be executable), with only the given variables and `input` piped to stdin.
 */
export function runTollgateCli (argv: string[], env: Record<string, string | undefined>, cwd: string, input = ''): Promise<CliProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI_SCRIPT, argv, { cwd, env: { PATH: process.env.PATH, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(input)
  })
}
