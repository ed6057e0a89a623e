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
