import { setTimeout as sleep } from 'node:timers/promises'

export interface DeadlineResult {
  /** Whether the condition held for a probe sent no later than the deadline. */
  met: boolean
  /** When the probe that met it was sent, in ms after the start (or of the last probe, when not met). */
  sentAtMs: number
  /** The last value probed, for failure messages. */
  last: unknown
}

/**
 * Probes until `holds` says yes for a probe sent within `deadlineMs` of `startedAt` (performance.now()),
 * every `intervalMs`. This is how a behaviour with a deadline is asserted ("refused on the other instance
 * by the 100 ms mark"): the answer is yes or no, never a measured speed.
 */
export async function holdsBy<T> (
  probe: () => Promise<T>,
  holds: (value: T) => boolean,
  { deadlineMs, startedAt = performance.now(), intervalMs = 5 }: { deadlineMs: number, startedAt?: number, intervalMs?: number }
): Promise<DeadlineResult> {
  for (;;) {
    const sentAtMs = performance.now() - startedAt
    const value = await probe()
    if (holds(value)) return { met: sentAtMs <= deadlineMs, sentAtMs, last: value }
    if (sentAtMs >= deadlineMs) return { met: false, sentAtMs, last: value }
    await sleep(intervalMs)
  }
}
