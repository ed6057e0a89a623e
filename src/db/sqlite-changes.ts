import { sql } from 'kysely'
import type { Db } from './database.js'

/**
 * How often to ask SQLite whether another connection committed. The question reads one counter of the
 * open file (no table, no lock held), so asking 40 times a second costs nothing measurable, and a change
 * made by the CLI is applied here within this interval.
 */
export const SQLITE_CHECK_INTERVAL_MS = 25

const dataVersion = async (db: Db): Promise<number | undefined> =>
  (await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows[0]?.data_version

/**
 * Calls `onChange` after another connection to the same SQLite file (the CLI, a second process) commits:
 * `PRAGMA data_version` changes then, and only then (https://sqlite.org/pragma.html#pragma_data_version);
 * this connection's own commits leave it alone. The first value is read before this returns, so whatever
 * the caller loads afterwards misses nothing committed later. Returns the stop.
 */
export async function watchSqliteChanges (db: Db, onChange: () => void, onError: (error: unknown) => void): Promise<() => void> {
  let seen = await dataVersion(db)
  let checking = false
  const timer = setInterval(() => {
    if (checking) return
    checking = true
    dataVersion(db)
      .then((version) => {
        if (version !== seen) onChange()
        seen = version
      })
      .catch(onError)
      .finally(() => { checking = false })
  }, SQLITE_CHECK_INTERVAL_MS).unref()
  return () => clearInterval(timer)
}
