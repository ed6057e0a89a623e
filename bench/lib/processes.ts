import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export interface BenchServer {
  name: string
  url: string
  /** What the server announced besides its port (a token, credentials). */
  info: Record<string, string>
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

/** Starts `bench/servers/<script>.js` with `env` and waits for its announcement. */
export async function startServer (name: string, script: string, env: Record<string, string>): Promise<BenchServer> {
  const child = spawnTracked(process.execPath, ['--expose-gc', join(import.meta.dirname, '..', 'servers', `${script}.js`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines = createInterface({ input: child.stdout! })
  const announced = new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.once('line', (line) => {
      try { resolve(JSON.parse(line)) } catch { reject(new Error(`${name} printed ${line.slice(0, 200)}`)) }
    })
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it listened`)))
  })
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const { port, ...info } = await announced.finally(() => clearTimeout(timeout))
  return {
    name,
    url: `http://127.0.0.1:${String(port)}`,
    info: info as Record<string, string>,
    stop: () => stopProcess(child)
  }
}
