import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * What every benchmark server tells the runner: its port once it listens (one JSON line on stdout), and
 * on request its memory and event-loop delay, measured inside the process under load.
 */
export function announce (port: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ port, ...extra })}\n`)
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()

export interface ServerStats {
  heapUsed: number
  rss: number
  /** Event-loop delay p99 since the last reset, in milliseconds. */
  loopDelayP99: number
  /** CPU time this process has used (user and system), in microseconds. */
  cpuMicros: number
}

/** Current stats; `reset` starts a new event-loop delay window. Collects garbage first when it can. */
export function stats (reset: boolean): ServerStats {
  globalThis.gc?.()
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage()
  const result = { heapUsed: memory.heapUsed, rss: memory.rss, loopDelayP99: loopDelay.percentile(99) / 1e6, cpuMicros: cpu.user + cpu.system }
  if (reset) loopDelay.reset()
  return result
}
