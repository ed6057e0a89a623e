import type { Redis } from 'ioredis'
import { followChannel } from '../redis-channel.js'
import type { ClientDirectory } from './client-directory.js'

/**
 * Tells every instance that a client changed, through Redis pub/sub, the way revocations travel: the
 * message is the client's id, and each instance reads that client again from the store. After a
 * reconnect, when messages may have been missed, each instance compares every client's version instead.
 */
export function createClientChangeBus (redis: Redis, directory: ClientDirectory, options: {
  prefix: string
  onError: (error: unknown, context: string) => void
}) {
  const channel = `${options.prefix}clients`

  async function publish (clientId: string): Promise<void> {
    await redis.publish(channel, clientId)
  }

  /** Listens through `subscriber`, a connection of its own (a subscribed one can send nothing else). */
  async function start (subscriber: Redis): Promise<void> {
    await followChannel(redis, subscriber, channel, {
      onMessage: (clientId) => {
        directory.refresh(clientId).catch((error: unknown) => options.onError(error, `reading client ${clientId.slice(0, 64)} after a change`))
      },
      catchUp: directory.sync,
      onError: options.onError,
      what: 'client changes'
    })
  }

  return { publish, start }
}
