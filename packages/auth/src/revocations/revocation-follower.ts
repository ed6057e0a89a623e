import { createParser } from 'eventsource-parser'
import { TollgateError } from '../errors.js'
import { parseRevocation, type RevocationList } from './revocation-list.js'

export interface RevocationFollowerOptions {
  /** The issuer's revocation feed (its metadata's `revocation_feed_endpoint`). */
  feedUrl: string
  clientId: string
  clientSecret: string
  /** Stop accepting any token once the feed has been out of reach this long (ms); unset: never. */
  failClosedAfterMs?: number
  /** First and longest wait between reconnection attempts (ms). */
  minBackoffMs?: number
  maxBackoffMs?: number
  /** Told once when the feed is lost, and once when it is back. */
  onDisconnect?: (error: unknown) => void
  onReconnect?: () => void
}

/** RFC 6749 Appendix B: the id and secret are form-encoded before they go into the Basic header. */
const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

/** The feed refusing the client (401: wrong id or secret; 403: no `revocations` permission). */
function credentialRefusal (feedUrl: string, clientId: string, status: number): TollgateError {
  const reason = status === 401
    ? 'refused the credentials of client ' + clientId + ' (401): check revocations.clientId and revocations.clientSecret'
    : 'refused client ' + clientId + ' (403): it needs the revocations permission (npx tollgate client update ' + clientId + ' --permissions revocations)'
  return new TollgateError('ERR_CONFIG', `the revocation feed at ${feedUrl} ${reason}`, { reason: `feed_${status}` })
}

/** Whether a failure is the feed refusing the client's credentials rather than the network or the server. */
export const isCredentialRefusal = (error: unknown): error is TollgateError =>
  error instanceof TollgateError && (error.reason === 'feed_401' || error.reason === 'feed_403')

/**
 * Follows Tollgate's revocation feed into a local revocation list: a snapshot first, then each revocation
 * as it happens, so a relying service refuses a logged-out token within moments and with no request to
 * Tollgate per token. Disconnected, it keeps what it holds and reconnects with backoff, resuming from the
 * last event it saw; it logs once per outage, and fails closed only if told to, after a set time.
 */
export function createRevocationFollower (list: RevocationList, options: RevocationFollowerOptions) {
  const minBackoff = options.minBackoffMs ?? 500
  const maxBackoff = options.maxBackoffMs ?? 30_000
  const authorization = basic(options.clientId, options.clientSecret)
  let lastEventId: string | undefined
  let connectedSince: number | undefined
  // Until the first snapshot arrives nothing is known: that counts as out of reach since the start.
  let outOfReachSince = Date.now()
  let down = false
  const state = { stopped: false }
  let controller: AbortController | undefined
  let synced: () => void
  const firstSync = new Promise<void>((resolve) => { synced = resolve })
  let isSynced = false
  firstSync.then(() => { isSynced = true }, () => {})
  // Refused credentials before the first snapshot: what ready() rejects with.
  let refuse: (error: unknown) => void
  const firstRefusal = new Promise<never>((_resolve, reject) => { refuse = reject })
  firstRefusal.catch(() => {})
  let lastFailure: unknown

  function handle (event: string | undefined, data: string, id: string | undefined): void {
    let value: unknown
    try {
      value = JSON.parse(data)
    } catch {
      return
    }
    if (event === 'snapshot') {
      const revocations = (value as { revocations?: unknown }).revocations
      if (Array.isArray(revocations)) {
        for (const revocation of revocations.map(parseRevocation)) if (revocation !== undefined) list.apply(revocation)
      }
      synced()
    } else if (event === 'revocation') {
      const revocation = parseRevocation(value)
      if (revocation !== undefined) {
        list.apply(revocation)
        synced()
      }
    }
    if (id !== undefined) lastEventId = id
  }

  async function connectOnce (): Promise<void> {
    controller = new AbortController()
    const response = await fetch(options.feedUrl, {
      headers: { accept: 'text/event-stream', authorization, ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
      signal: controller.signal
    })
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel()
      if (response.status === 401 || response.status === 403) throw credentialRefusal(options.feedUrl, options.clientId, response.status)
      throw new Error(`the revocation feed answered ${response.status}`)
    }
    connectedSince = Date.now()
    if (down) options.onReconnect?.()
    down = false
    lastFailure = undefined
    const parser = createParser({ onEvent: ({ event, data, id }) => { handle(event, data, id) } })
    const decoder = new TextDecoder()
    for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }))
    throw new Error('the revocation feed closed the stream')
  }

  async function run (): Promise<void> {
    let backoff = minBackoff
    while (!state.stopped) {
      try {
        await connectOnce()
      } catch (error) {
        if (state.stopped) return
        if (connectedSince !== undefined) {
          outOfReachSince = Date.now()
          // A connection that lasted a while was healthy: start the backoff over.
          if (Date.now() - connectedSince > maxBackoff) backoff = minBackoff
          connectedSince = undefined
        }
        if (isCredentialRefusal(error) && !isSynced) refuse(error)
        // Told once per outage, and again when the outage turns into refused credentials (or back).
        if (!down || isCredentialRefusal(error) !== isCredentialRefusal(lastFailure)) options.onDisconnect?.(error)
        lastFailure = error
        down = true
      }
      if (state.stopped) return
      // Full jitter, so a fleet of services does not reconnect in step after an outage.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * backoff).unref())
      backoff = Math.min(backoff * 2, maxBackoff)
    }
  }

  // run() catches every failure itself; it ends only when stopped.
  run().catch(() => {})

  return {
    /**
     * Resolves once a snapshot has been applied (or false at `timeoutMs`): a service may wait for it before
     * serving. Rejects if the feed refuses the client's credentials first.
     */
    ready: async (timeoutMs = 5000): Promise<boolean> => Promise.race([
      firstSync.then(() => true),
      firstRefusal,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref())
    ]),
    /** True while the feed has been out of reach longer than `failClosedAfterMs`: refuse every token then. */
    isStale: (): boolean => options.failClosedAfterMs !== undefined && connectedSince === undefined &&
      Date.now() - outOfReachSince > options.failClosedAfterMs,
    stop: (): void => {
      state.stopped = true
      controller?.abort()
    }
  }
}

export type RevocationFollower = ReturnType<typeof createRevocationFollower>
