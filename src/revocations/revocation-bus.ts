import type { Redis } from 'ioredis'
import { parseRevocation, type Revocation, type RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { CLOCK_LEEWAY_SECONDS } from '@tollgate/auth/tokens/claims'
import { followChannel } from '../redis-channel.js'

export interface RevocationBusOptions {
  /** Key and channel prefix, so several deployments (or test runs) can share one Redis. */
  prefix: string
  maxTokenTtlSeconds: number
  onError: (error: unknown, context: string) => void
}

function parseMessage (message: string): Revocation | undefined {
  try {
    return parseRevocation(JSON.parse(message))
  } catch {
    return undefined
  }
}

/**
 * Shares revocations between instances through Redis: each one is a key that expires with the tokens
 * it covers (so an instance that starts or reconnects loads the current set with one SCAN) and a pub/sub
 * message (so every running instance applies it within milliseconds).
 */
export function createRevocationBus (redis: Redis, list: RevocationList, options: RevocationBusOptions) {
  const channel = `${options.prefix}revocations`
  const keyPrefix = `${options.prefix}revoked:`

  /** Seconds the key must live: as long as a token it refuses could still be accepted somewhere. */
  function ttlOf ({ kind, until }: Revocation): number {
    const lastRelevant = kind === 'cutoff' ? until + options.maxTokenTtlSeconds : until
    return Math.max(1, Math.ceil(lastRelevant + CLOCK_LEEWAY_SECONDS - Date.now() / 1000))
  }

  async function publish (revocation: Revocation): Promise<void> {
    const key = `${keyPrefix}${revocation.kind}:${revocation.id}`
    await redis.multi()
      .set(key, JSON.stringify(revocation), 'EX', ttlOf(revocation))
      .publish(channel, JSON.stringify(revocation))
      .exec()
  }

  /** Loads every live revocation; run at start and after every reconnect, when messages may have been missed. */
  async function load (): Promise<void> {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length === 0) continue
      for (const value of await redis.mget(...keys)) {
        const revocation = value === null ? undefined : parseMessage(value)
        if (revocation !== undefined) list.apply(revocation, 'redis-load')
      }
    } while (cursor !== '0')
  }

  /**
   * Listens through `subscriber` (a connection of its own: a subscribed one can send nothing else) and
   * loads the current set (see followChannel for what happens while Redis is unreachable). Publishing
   * needs none of this.
   */
  async function start (subscriber: Redis): Promise<void> {
    await followChannel(redis, subscriber, channel, {
      onMessage: (message) => {
        const revocation = parseMessage(message)
        if (revocation !== undefined) list.apply(revocation, 'redis-pubsub')
      },
      catchUp: load,
      onError: options.onError,
      what: 'revocations'
    })
  }

  return { publish, load, start }
}

export type RevocationBus = ReturnType<typeof createRevocationBus>
