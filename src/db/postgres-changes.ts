import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { channelOf, WATCHED_TABLES, type WatchedTable } from './change-channel.js'

/** Reconnects start quickly (a restart of PostgreSQL takes a moment) and slow down while it stays away. */
const RETRY_FIRST_MS = 100
const RETRY_MAX_MS = 5000
/** A connection through a stalled network never answers the goodbye: after this, it is dropped. */
const END_WAIT_MS = 1000
/**
 * A listening connection only receives, so a stalled network (no reset, no close) would leave it deaf
 * without an error for as long as TCP keepalive takes (minutes). Asking something this often, with
 * `query_timeout`, finds out within seconds; the periodic sync covers the meantime.
 */
const HEARTBEAT_MS = 5000
const HEARTBEAT_TIMEOUT_MS = 3000

export interface PostgresChangeOptions {
  /** How to connect, as the pool does (same URL, same search_path). */
  connection: pg.ClientConfig
  /** A commit changed `table`; undefined after a (re)connect, when notifications may have been missed. */
  onChange: (table: WatchedTable | undefined) => void
  onError: (error: unknown, context: string) => void
  /** The connection is back after a loss. */
  onReconnect?: () => void
  /** How often to check that the connection still answers (tests shorten it). */
  heartbeatMs?: number
}

const tableNamed = (payload: string | undefined): WatchedTable | undefined => WATCHED_TABLES.find((table) => table === payload)

/** Ends a client however its connection is: politely if it answers within END_WAIT_MS, otherwise cut. */
async function close (client: pg.Client): Promise<void> {
  client.removeAllListeners('notification')
  await Promise.race([client.end().catch(() => {}), sleep(END_WAIT_MS, undefined, { ref: false })])
  client.connection.stream.destroy()
}

/**
 * Follows the schema's change channel (src/db/migrations/0009-change-notifications.ts: every writer's
 * commit notifies it) on a connection of its own, which LISTEN keeps busy. A lost connection is
 * reconnected with back-off, and each (re)connect is reported as a change of unknown table, so the caller
 * reads everything it could have missed. A start with PostgreSQL unreachable does not fail: it retries.
 * Returns the stop, which closes the connection and every timer.
 */
export async function listenForPostgresChanges (options: PostgresChangeOptions): Promise<() => Promise<void>> {
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let delay = RETRY_FIRST_MS
  let stopped = false
  let down = false

  function lost (which: pg.Client, error: unknown): void {
    if (client !== which || stopped) return
    client = undefined
    clearInterval(heartbeat)
    close(which).catch(() => {})
    if (!down) options.onError(error, 'lost the connection that hears of changes; reconnecting, the periodic sync covers the meantime')
    down = true
    retry = setTimeout(() => {
      retry = undefined
      connect().catch((error: unknown) => options.onError(error, 'could not reconnect'))
    }, delay).unref()
    delay = Math.min(delay * 2, RETRY_MAX_MS)
  }

  async function connect (): Promise<void> {
    const next = new pg.Client({ ...options.connection, keepAlive: true, query_timeout: HEARTBEAT_TIMEOUT_MS })
    client = next
    // Keeps listening after close(): an 'error' nobody hears would end the process.
    next.on('error', (error) => { lost(next, error) })
    next.on('end', () => { lost(next, new Error('the connection ended')) })
    try {
      await next.connect()
      const { rows: [row] } = await next.query<{ channel: string }>(`select ${channelOf('current_schema()')} as channel`)
      const channel = row?.channel ?? ''
      next.on('notification', (message) => { if (message.channel === channel) options.onChange(tableNamed(message.payload)) })
      await next.query(`listen ${next.escapeIdentifier(channel)}`)
    } catch (error) {
      lost(next, error)
      return
    }
    if (client !== next) return
    heartbeat = setInterval(() => { next.query('select 1').catch((error: unknown) => { lost(next, error) }) }, options.heartbeatMs ?? HEARTBEAT_MS).unref()
    delay = RETRY_FIRST_MS
    if (down) options.onReconnect?.()
    down = false
    options.onChange(undefined)
  }

  await connect()
  return async () => {
    stopped = true
    clearTimeout(retry)
    clearInterval(heartbeat)
    const last = client
    client = undefined
    if (last !== undefined) await close(last)
  }
}
