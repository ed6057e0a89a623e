import { setTimeout as sleep } from 'node:timers/promises'

export interface DeadlineResult {
  /** Whether the condition held for a probe sent no later than the deadline. */
  met: boolean
  /** When the first probe that met it was sent, in ms after the start (or the last probe, when none did). */
  sentAtMs: number
  /** The value of that probe, for failure messages. */
  last: unknown
}

/** Probes answered slowly (a loaded machine) must not hold back the next ones past the deadline. */
const IN_FLIGHT = 8

/**
 * Probes until `holds` says yes for a probe sent within `deadlineMs` of `startedAt` (performance.now()),
 * every `intervalMs`. This is how a behaviour with a deadline is asserted ("refused on the other instance
 * by the 100 ms mark"): the answer is yes or no, never a measured speed. Probes overlap (up to IN_FLIGHT
 * at once): the time that counts is when each was sent, so a slow answer to an early probe does not
 * delay the probe that would have shown the change in time.
 */
export async function holdsBy<T> (
  probe: () => Promise<T>,
  holds: (value: T) => boolean,
  { deadlineMs, startedAt = performance.now(), intervalMs = 5 }: { deadlineMs: number, startedAt?: number, intervalMs?: number }
): Promise<DeadlineResult> {
  const answers: Array<{ sentAtMs: number, value: T }> = []
  const pending = new Set<Promise<void>>()
  let held = false
  let failure: { error: unknown } | undefined
  for (;;) {
    const sentAtMs = performance.now() - startedAt
    const sent: Promise<void> = probe()
      .then((value) => {
        answers.push({ sentAtMs, value })
        if (holds(value)) held = true
      })
      .catch((error: unknown) => { failure ??= { error } })
      .finally(() => pending.delete(sent))
    pending.add(sent)
    if (sentAtMs >= deadlineMs) break
    await sleep(intervalMs)
    while (pending.size >= IN_FLIGHT) await Promise.race(pending)
    if (held || failure !== undefined) break
  }
  await Promise.all(pending)
  if (failure !== undefined) throw failure.error
  answers.sort((a, b) => a.sentAtMs - b.sentAtMs)
  const first = answers.find((answer) => holds(answer.value))
  const shown = first ?? answers[answers.length - 1]!
  return { met: first !== undefined && first.sentAtMs <= deadlineMs, sentAtMs: shown.sentAtMs, last: shown.value }
}
