import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { acceptsEventStream } from '../../src/http/accepts-event-stream.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { TollgateError } from '@tollgate/auth/errors'

const NOT_ACCEPTABLE = new TollgateError('ERR_NOT_ACCEPTABLE', 'This endpoint answers only text/event-stream')

/** How long a follower waits before reconnecting, told to it in the stream (SSE `retry`). */
const RETRY_MS = 2000

const revocations: FastifyPluginAsyncTypebox = async function (fastify) {
  const feed = fastify.revocations.feed
  // A stream never ends by itself, and the server waits for open requests when it closes: the streams end
  // first, and their followers reconnect (after `retry`) to an instance still running.
  const streams = new Set<{ close (): void }>()
  fastify.addHook('preClose', async () => {
    for (const stream of streams) stream.close()
  })

  fastify.get('/revocations', {
    // `manual`: the Accept header is judged here, after the client's check, so a follower that cannot
    // take a stream gets a 406 with a code.
    sse: { kind: 'manual', heartbeat: true },
    config: { client: { permission: 'revocations' } },
    preHandler: async (request) => {
      if (!acceptsEventStream(request.headers.accept)) throw NOT_ACCEPTABLE
    },
    schema: {
      tags: ['oauth'],
      summary: 'Every revocation as it happens (Server-Sent Events), for relying services with the `revocations` permission',
      description: 'First a `snapshot` event with every live revocation, then one `revocation` event each: ' +
        '`{kind: "token" | "session" | "cutoff", id, until}` (a token id, a session id, or a user or client id whose tokens ' +
        'issued before `until` are ended). A follower that reconnects with `Last-Event-ID` gets what it missed.',
      produces: ['text/event-stream'],
      response: {
        200: Type.String({ description: 'text/event-stream' }),
        406: errorResponse('The `Accept` header refuses `text/event-stream`')
      }
    }
  }, async function (request, reply) {
    reply.header('cache-control', 'no-store')
    reply.sse.keepAlive()
    // Listen before reading the history, so nothing falls between the two.
    const pending: Array<Parameters<Parameters<typeof feed.subscribe>[0]>[0]> = []
    let live = false
    const unsubscribe = feed.subscribe((event) => {
      if (!live) { pending.push(event); return }
      reply.sse.send({ id: event.id, event: 'revocation', data: event.revocation }).catch(() => unsubscribe())
    })
    streams.add(reply.sse)
    reply.sse.onClose(() => {
      unsubscribe()
      streams.delete(reply.sse)
    })
    const missed = feed.since(reply.sse.lastEventId)
    if (missed === undefined) {
      await reply.sse.send({ id: feed.currentId(), event: 'snapshot', data: { revocations: feed.snapshot() }, retry: RETRY_MS })
    } else {
      for (const event of missed) await reply.sse.send({ id: event.id, event: 'revocation', data: event.revocation, retry: RETRY_MS })
    }
    for (const event of pending) await reply.sse.send({ id: event.id, event: 'revocation', data: event.revocation })
    live = true
    request.log.info({ event: 'feed.follow', resumed: missed !== undefined }, 'a relying service follows the revocation feed')
  })
}

export default revocations
