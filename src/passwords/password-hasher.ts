import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import pLimit from 'p-limit'
import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'

/**
 * argon2id with OWASP's first recommended setting (19 MiB, t=2, p=1). argon2's own default (64 MiB, t=3,
 * p=4) costs about six times as much per login; OWASP rates both as equally strong choices, and the lighter
 * one keeps a login storm from starving the verify path on a small machine.
 */
export const HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1
} as const

/** A password that matched; `rehash` is a fresh hash to store when the old one had weaker parameters. */
export type PasswordCheck = Result<{ rehash?: string }>

const MISMATCH = new TollgateError('ERR_INVALID_CREDENTIALS', 'The password does not match')

export interface PasswordHasher {
  hash (password: string): Promise<string>
  /**
   * Verifies `password` against `hash`. With no hash (unknown user) it verifies against a dummy hash,
   * so an unknown username costs the same time as a wrong password.
   */
  verify (hash: string | undefined, password: string): Promise<PasswordCheck>
  /** The hashing queue now, and the time hashes waited in it so far, for the metrics. */
  queue (): HashQueueStats
}

export interface HashQueueStats {
  /** Hashes waiting for a turn. */
  waiting: number
  /** Hashes being computed. */
  running: number
  /** Hashes started so far, and the seconds they waited in all. */
  started: number
  waitSeconds: number
}

/**
 * argon2 runs on libuv's thread pool, off the event loop, but a storm of logins would still take every
 * core. Hashing is limited to all cores but one, so verifying tokens always has a core to run on;
 * logins beyond that wait their turn.
 */
export const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1)

export async function createPasswordHasher (concurrency: number = HASH_CONCURRENCY): Promise<PasswordHasher> {
  const limit = pLimit(concurrency)
  const dummyHash = await argon2.hash(randomBytes(16), HASH_OPTIONS)
  let started = 0
  let waitSeconds = 0

  /** Runs `work` in its turn, adding the time it waited for it to the totals. */
  function queued<T> (work: () => Promise<T>): Promise<T> {
    const since = performance.now()
    return limit(() => {
      started++
      waitSeconds += (performance.now() - since) / 1000
      return work()
    })
  }

  async function hash (password: string): Promise<string> {
    return queued(() => argon2.hash(password, HASH_OPTIONS))
  }

  async function verify (stored: string | undefined, password: string): Promise<PasswordCheck> {
    let matched: boolean
    try {
      matched = await queued(() => argon2.verify(stored ?? dummyHash, password))
    } catch {
      // A stored value that is not an argon2 hash never matches.
      matched = false
    }
    if (!matched || stored === undefined) return fail(MISMATCH)
    // needsRehash compares only version and costs, not the variant: an argon2i or argon2d hash would stay.
    const outdated = !stored.startsWith('$argon2id$') || argon2.needsRehash(stored, HASH_OPTIONS)
    return ok(outdated ? { rehash: await hash(password) } : {})
  }

  const queue = (): HashQueueStats => ({ waiting: limit.pendingCount, running: limit.activeCount, started, waitSeconds })

  return { hash, verify, queue }
}
