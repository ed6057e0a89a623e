/** How many unproven argon2 checks one client gets in a window, and how long the window is. */
export const LEGACY_CHECKS_PER_WINDOW = 5
export const LEGACY_CHECK_WINDOW_MS = 60_000

/**
 * A per-client budget of authentications not yet proven right, counted in this instance's memory. It
 * guards the one costly check left, a legacy argon2 secret: spent before the hash is verified (so fifty
 * wrong secrets at once get five checks, not fifty), given back whole by a success. A flood of wrong
 * secrets for such a client then costs a map lookup each, not argon2 work queued ahead of users' logins.
 * Each instance keeps its own count: what it bounds is that instance's own hashing. A key is held only
 * for clients checked within the window, and only known clients with an argon2 hash are counted.
 */
export function createFailureBudget ({ checks = LEGACY_CHECKS_PER_WINDOW, windowMs = LEGACY_CHECK_WINDOW_MS } = {}) {
  const windows = new Map<string, { spent: number, endsAt: number }>()

  /** Spends one check for `key`: 0 when it may go ahead, else the milliseconds until it may. */
  function spend (key: string, now = Date.now()): number {
    const window = windows.get(key)
    if (window === undefined || window.endsAt <= now) {
      windows.set(key, { spent: 1, endsAt: now + windowMs })
      return 0
    }
    if (window.spent >= checks) return window.endsAt - now
    window.spent++
    return 0
  }

  return { spend, succeeded: (key: string): void => { windows.delete(key) } }
}

export type FailureBudget = ReturnType<typeof createFailureBudget>
