import { setImmediate } from 'node:timers'

/**
 * Gathers what is asked for in one turn of the event loop and hands it over together, on the next turn:
 * the grants read from the sockets in one turn reach the store as one write. `handle` gets each batch
 * once, never an empty one; past `max` items a batch is handed over at once.
 */
export function perTurn<T> (handle: (batch: T[]) => void, max = Infinity): (item: T) => void {
  let batch: T[] = []
  function flush (): void {
    const taken = batch
    batch = []
    // A batch handed over early for its size leaves its scheduled turn with nothing to do.
    if (taken.length > 0) handle(taken)
  }
  return (item) => {
    if (batch.length === 0) setImmediate(flush)
    batch.push(item)
    if (batch.length >= max) flush()
  }
}
