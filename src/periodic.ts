/**
 * Runs `task` every `ms` milliseconds, never two at once (a slow store must not pile up reads), without
 * keeping the process alive. A failure is reported and the next run tries again. Returns the stop.
 */
export function every (ms: number, task: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    task().catch(onError).finally(() => { running = false })
  }, ms).unref()
  return () => clearInterval(timer)
}

/**
 * Wraps `task` so that a call starts it at once, or, while a run is under way (whose reads may have
 * missed what prompted the call), makes it run once more when that run ends: never two at once, and
 * however many calls come meanwhile, one more run. The promise settles with the last of those runs.
 */
export function coalescing (task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  let again = false
  return function run (): Promise<void> {
    if (running !== undefined) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await task()
        } while (again)
      } finally {
        running = undefined
      }
    })()
    return running
  }
}
