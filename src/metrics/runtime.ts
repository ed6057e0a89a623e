import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Registry } from 'prom-client'
import { metricsIn } from './registry.js'

/**
 * The process's own health: event-loop delay, CPU and memory. prom-client's `collectDefaultMetrics`
 * is not used: it registers a garbage-collection observer and an event-loop monitor that cannot be
 * stopped, one more for every app built in the same process.
 *
 * The delay is summarised since the previous scrape, then started afresh: a delay that stopped an
 * hour ago is not what an alert on it should see. Returns the function that stops the monitor.
 */
export function registerRuntimeMetrics (registry: Registry): () => void {
  const startedAt = Math.round(Date.now() / 1000 - process.uptime())
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const { counter, gauge } = metricsIn(registry)
  gauge({
    name: 'tollgate_event_loop_delay_seconds',
    help: 'Event-loop delay since the previous scrape, by quantile (1 is the maximum); over 0.1 s every request waits',
    labelNames: ['quantile'],
    collect () {
      // An empty window (two scrapes in a row) reports no delay rather than the histogram's sentinels.
      const empty = delay.count === 0
      for (const [quantile, value] of [['0.5', delay.percentile(50)], ['0.99', delay.percentile(99)], ['1', delay.max]] as const) {
        this.set({ quantile }, empty ? 0 : value / 1e9)
      }
      delay.reset()
    }
  })
  counter({
    name: 'process_cpu_seconds_total',
    help: 'CPU time used by the process, user and system, in seconds',
    collect () {
      const { user, system } = process.cpuUsage()
      this.reset()
      this.inc((user + system) / 1e6)
    }
  })
  gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory of the process, in bytes',
    collect () { this.set(process.memoryUsage.rss()) }
  })
  gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'JavaScript heap in use, in bytes',
    collect () { this.set(process.memoryUsage().heapUsed) }
  })
  gauge({
    name: 'process_start_time_seconds',
    help: 'When the process started, in seconds since the epoch: a change means a restart',
    collect () { this.set(startedAt) }
  })
  return () => { delay.disable() }
}
