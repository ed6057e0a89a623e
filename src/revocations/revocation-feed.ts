import { randomBytes } from 'node:crypto'
import type { Revocation, RevocationList } from '@tollgate/auth/revocations/revocation-list'

export interface FeedEvent {
  /** `<instance>-<sequence>`: an id from another instance, or from before a restart, is never taken for one of ours. */
  id: string
  revocation: Revocation
}

/**
 * The revocations this instance learns of, numbered, for relying services following them. A follower
 * that reconnects with the id of the last event it saw gets what came after it while that is still in
 * the recent history; otherwise it starts again from a snapshot of everything live.
 */
export function createRevocationFeed (list: RevocationList, historySize = 10_000) {
  const instance = randomBytes(6).toString('base64url')
  let sequence = 0
  const history: FeedEvent[] = []
  const listeners = new Set<(event: FeedEvent) => void>()

  list.subscribe((revocation) => {
    const event = { id: `${instance}-${++sequence}`, revocation }
    history.push(event)
    if (history.length > historySize) history.splice(0, history.length - historySize)
    for (const listener of listeners) listener(event)
  })

  /** The events after `lastEventId`, or undefined when they cannot be told (a snapshot is needed). */
  function since (lastEventId: string | null | undefined): FeedEvent[] | undefined {
    if (lastEventId === null || lastEventId === undefined) return undefined
    const [from, number] = lastEventId.split('-')
    const seen = Number(number)
    if (from !== instance || !Number.isSafeInteger(seen) || seen > sequence) return undefined
    const oldest = history[0] === undefined ? sequence + 1 : Number(history[0].id.split('-')[1])
    if (seen + 1 < oldest) return undefined
    return history.filter((event) => Number(event.id.split('-')[1]) > seen)
  }

  return {
    since,
    /** The id a snapshot taken now stands for: the last event so far. */
    currentId: (): string => `${instance}-${sequence}`,
    snapshot: (): Revocation[] => list.snapshot(),
    subscribe (listener: (event: FeedEvent) => void): () => void {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}

export type RevocationFeed = ReturnType<typeof createRevocationFeed>
