/**
 * The fault soak's bookkeeping, free of I/O so it can be tested: what each answer counts as given the
 * faults under way when it came, the tally by endpoint and status, and how long a revoked token was still
 * accepted once every fault it met had passed.
 */

/** An HTTP status, or how a request failed without one. */
export type Outcome = number | 'refused' | 'reset' | 'timeout' | 'network'

export type FaultKind = 'redis' | 'postgres' | 'kill'

export interface FaultWindow {
  kind: FaultKind
  /** The instance killed, for `kill`. */
  target?: string
  start: number
  /** When the service was back; undefined while it is still down. */
  end?: number
}

export interface Answer {
  endpoint: string
  target: string
  outcome: Outcome
  /** When the answer (or the failure) came, ms since the epoch. */
  at: number
  /** Whether it is the answer the step wanted (a 2xx, or 401 for a revoked token). */
  wanted: boolean
}

/** How long after a fault ends its side effects may still be seen (a pool reconnecting, a client retrying). */
export const GRACE_MS = 5000

const within = (at: number, window: FaultWindow, graceMs: number): boolean =>
  at >= window.start && at <= (window.end ?? Infinity) + graceMs

/**
 * `wanted`, `fault` (the documented 503 while the database is down, or no connection to an instance
 * while it is killed) or `unexpected` (anything else that is not the wanted answer: a 500, a 503 with the
 * database up, a refused connection to a running instance, a 401 for a live token).
 */
export function classify (answer: Answer, windows: readonly FaultWindow[], graceMs = GRACE_MS): 'wanted' | 'fault' | 'unexpected' {
  if (answer.wanted) return 'wanted'
  const during = (kind: FaultKind, target?: string) => windows.some((w) => w.kind === kind && (target === undefined || w.target === target) && within(answer.at, w, graceMs))
  if (answer.outcome === 503 && answer.target !== 'relying' && during('postgres')) return 'fault'
  if (typeof answer.outcome !== 'number' && during('kill', answer.target)) return 'fault'
  return 'unexpected'
}

/**
 * When the clock of a revocation made at `at` starts: at once when no fault was under way, else when the
 * faults under way then (and any that began before those ended) were over.
 */
export function recoveryStart (at: number, windows: readonly FaultWindow[]): number {
  let start = at
  for (let changed = true; changed;) {
    changed = false
    for (const window of windows) {
      const end = window.end ?? Infinity
      if (window.start <= start && end > start) {
        start = end
        changed = true
      }
    }
  }
  return start
}

export interface Revocation {
  /** When the logout or revocation was answered with success. */
  revokedAt: number
  /** The last time any instance or the relying service still accepted the token. */
  lastAcceptedAt?: number
  /** Which of them accepted it then. */
  acceptedBy?: string[]
}

/** How long the token was still accepted after its revocation, counted from recovery when it met a fault. */
export function lateness (revocation: Revocation, windows: readonly FaultWindow[]): { raw: number, afterRecovery: number } {
  if (revocation.lastAcceptedAt === undefined) return { raw: 0, afterRecovery: 0 }
  return {
    raw: Math.max(0, revocation.lastAcceptedAt - revocation.revokedAt),
    afterRecovery: Math.max(0, revocation.lastAcceptedAt - recoveryStart(revocation.revokedAt, windows))
  }
}

/** Every answer counted by endpoint and outcome, and every unexpected one kept to be listed. */
export class Tally {
  readonly byEndpoint = new Map<string, Map<string, number>>()
  readonly unexpected: Answer[] = []
  total = 0
  faultAnswers = 0

  constructor (private readonly windows: readonly FaultWindow[], private readonly graceMs = GRACE_MS) {}

  add (answer: Answer): void {
    this.total++
    const counts = this.byEndpoint.get(answer.endpoint) ?? new Map<string, number>()
    const key = String(answer.outcome)
    counts.set(key, (counts.get(key) ?? 0) + 1)
    this.byEndpoint.set(answer.endpoint, counts)
    const kind = classify(answer, this.windows, this.graceMs)
    if (kind === 'fault') this.faultAnswers++
    if (kind === 'unexpected') this.unexpected.push(answer)
  }

  /** Every outcome with its count over all endpoints, statuses first, in order. */
  byOutcome (): Array<[string, number]> {
    const totals = new Map<string, number>()
    for (const counts of this.byEndpoint.values()) {
      for (const [key, n] of counts) totals.set(key, (totals.get(key) ?? 0) + n)
    }
    return [...totals].sort(([a], [b]) => a.localeCompare(b))
  }
}
