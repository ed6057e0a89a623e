import type { Redis } from 'ioredis'

export interface ChannelFollower {
  /** A message on the channel. */
  onMessage: (message: string) => void
  /** Reads the current state in full: at start, and after every reconnect, when messages may have been missed. */
  catchUp: () => Promise<void>
  onError: (error: unknown, context: string) => void
  /** What the channel carries, for the error contexts ("revocations", "client changes"). */
  what: string
}

/**
 * Follows one Redis pub/sub channel: `subscriber` listens (ioredis resubscribes by itself after a
 * reconnect), `redis` reads the state in full whenever either connection comes back. With Redis
 * unreachable it returns at once: the subscription waits in the subscriber's queue, and the state is
 * read when the shared client connects.
 */
export async function followChannel (redis: Redis, subscriber: Redis, channel: string, follower: ChannelFollower): Promise<void> {
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) follower.onMessage(message)
  })
  const catchUp = (): void => {
    if (redis.status !== 'ready') return
    follower.catchUp().catch((error: unknown) => follower.onError(error, `loading ${follower.what} after connecting`))
  }
  redis.on('ready', catchUp)
  subscriber.on('ready', catchUp)
  const subscribed = subscriber.subscribe(channel)
  if (redis.status !== 'ready') {
    subscribed.catch((error: unknown) => follower.onError(error, `subscribing to ${follower.what}`))
    return
  }
  await subscribed
  await follower.catchUp()
}
