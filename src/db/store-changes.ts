import type { WatchedTable } from './change-channel.js'
import { postgresConnection, type Db } from './database.js'
import { listenForPostgresChanges } from './postgres-changes.js'
import { watchSqliteChanges } from './sqlite-changes.js'

export interface StoreChangesOptions {
  /** DATABASE_URL. */
  url: string
  schema?: string | undefined
  onError: (error: unknown, context: string) => void
  onReconnect?: () => void
}

type Listener = () => void

/**
 * Hears of commits made by other connections to the store (the CLI, other instances) as they happen, and
 * tells whoever keeps a copy of the changed table, so that copy reads the store again at once. The
 * periodic sync stays as the safety net; Redis is not needed for this.
 */
export function createStoreChanges (db: Db, options: StoreChangesOptions) {
  const listeners = new Map<Listener, readonly WatchedTable[]>()

  /** Unknown table (SQLite says only that something changed; a reconnect may have missed anything): every listener. */
  function changed (table: WatchedTable | undefined): void {
    for (const [listener, tables] of listeners) if (table === undefined || tables.includes(table)) listener()
  }

  /** Calls `listener` after a commit elsewhere changes one of `tables`; returns how to stop. */
  function subscribe (tables: readonly WatchedTable[], listener: Listener): () => void {
    listeners.set(listener, tables)
    return () => { listeners.delete(listener) }
  }

  /**
   * Starts hearing: SQLite's data_version polled, or PostgreSQL's LISTEN. Nothing to hear for an in-memory
   * SQLite store, which no other connection can reach. Returns the stop.
   */
  async function watch (): Promise<() => Promise<void>> {
    if (options.url === 'sqlite::memory:') return async () => {}
    if (options.url.startsWith('sqlite:')) {
      const stop = await watchSqliteChanges(db, () => changed(undefined), (error) => options.onError(error, 'could not read the store\'s data_version; will retry'))
      return async () => stop()
    }
    return listenForPostgresChanges({
      connection: postgresConnection({ url: options.url, schema: options.schema }),
      onChange: changed,
      onError: options.onError,
      ...(options.onReconnect === undefined ? {} : { onReconnect: options.onReconnect })
    })
  }

  return { subscribe, watch }
}

export type StoreChanges = ReturnType<typeof createStoreChanges>
