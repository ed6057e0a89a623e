import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..')
export const SERVER_SCRIPT = join(ROOT, 'dist', 'server.js')

interface Teardown { teardown (fn: () => unknown): void }

export interface TollgateProcess {
  /** `http://127.0.0.1:PORT`, read from the server's own "listening" log line. */
  readonly url: string
  readonly pid: number
  /** Everything it wrote so far, for failure messages. */
  output (): string
  /** Whether it is still running. */
  running (): boolean
  /** SIGTERM, then SIGKILL if it has not ended within `graceMs`; resolves once it has exited. */
  stop (graceMs?: number): Promise<void>
}

export interface StartOptions {
  /** The whole environment of the process (PATH is added); PORT=0 and LOG_LEVEL=info are the defaults. */
  env: Record<string, string>
  /** Its working directory: give it an empty one (t.testdir()), so no `.env` or `./data` of the checkout is read. */
  cwd: string
  /** How long it may take to listen. */
  startTimeoutMs?: number
}

const LISTENING = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/

/**
 * Starts `node dist/server.js` on an ephemeral port and resolves once it listens. The process is killed
 * when the test ends, whatever happened; one that exits or stays silent fails with its output.
 */
export async function startTollgate (t: Teardown, { env, cwd, startTimeoutMs = 15_000 }: StartOptions): Promise<TollgateProcess> {
  if (!existsSync(SERVER_SCRIPT)) {
    throw new Error(`${SERVER_SCRIPT} is missing: run \`npm run build\` first (\`npm test\` builds before running tap)`)
  }
  const child = spawn(process.execPath, [SERVER_SCRIPT], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  t.teardown(async () => {
    if (running()) child.kill('SIGKILL')
    await exited
  })

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish()
      reject(new Error(`Tollgate (pid ${child.pid}) did not listen within ${startTimeoutMs} ms:\n${output}`))
    }, startTimeoutMs)
    const look = (): void => {
      const match = LISTENING.exec(output)
      if (match?.[1] === undefined) return
      finish()
      resolve(match[1])
    }
    const onExit = (): void => {
      finish()
      reject(new Error(`Tollgate exited (code ${child.exitCode}, signal ${child.signalCode}) before listening:\n${output}`))
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

  async function stop (graceMs = 5000): Promise<void> {
    if (!running()) return exited
    child.kill('SIGTERM')
    const timer = setTimeout(() => { if (running()) child.kill('SIGKILL') }, graceMs)
    await exited
    clearTimeout(timer)
  }

  return { url, pid: child.pid ?? -1, output: () => output, running, stop }
}
