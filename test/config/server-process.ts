import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'

const SERVER = join(import.meta.dirname, '..', '..', 'dist', 'server.js')

export interface ServerProcess {
  child: ChildProcess
  /** Everything written so far. */
  output (): { stdout: string, stderr: string }
  /** Resolves with the base URL once the server logs that it listens; rejects if it exits first. */
  listening (): Promise<string>
  /** Resolves with the exit code once the process has ended. */
  exited (): Promise<number | null>
  /** Stops the process (SIGTERM) and waits for it to end. */
  stop (): Promise<void>
}

/**
 * Starts the built server with exactly `env` (plus PATH) in `cwd`, as an operator would, and kills it
 * when the test ends, whatever happened. The build comes first: `npm test` runs it before tap.
 */
export function startServer (t: Test, cwd: string, env: Record<string, string>): ServerProcess {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first (\`npm test\` does)`)
  const child = spawn(process.execPath, [SERVER], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })

  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const running = () => child.exitCode === null && child.signalCode === null
  t.teardown(async () => {
    if (running()) child.kill('SIGKILL')
    await exit
  })

  /** Fails after `limitMs` rather than leaving the run hanging when the line never comes. */
  function listening (limitMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "Server listening" line after ${limitMs} ms:\n${stdout}\n${stderr}`)), limitMs)
      timer.unref()
      const look = () => {
        const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout)
        if (match?.[1] === undefined) return false
        clearTimeout(timer)
        resolve(match[1])
        return true
      }
      if (look()) return
      const onData = () => { if (look()) child.stdout?.off('data', onData) }
      child.stdout?.on('data', onData)
      exit.then((code) => reject(new Error(`the server exited with ${code} before listening:\n${stdout}\n${stderr}`)), reject)
    })
  }

  async function stop (): Promise<void> {
    if (running()) child.kill('SIGTERM')
    await exit
  }

  return { child, output: () => ({ stdout, stderr }), listening, exited: () => exit, stop }
}
