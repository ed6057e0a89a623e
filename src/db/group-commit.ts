import { CompiledQuery, type Transaction } from 'kysely'
import { isEmbedded, type Db } from './database.js'
import type { Database } from './tables.js'
import { perTurn } from './turn-batch.js'

/** Runs `work` in a transaction and answers once it is committed (or has failed). */
export type InTransaction = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>

// Compiled once: Kysely would build and compile each anew, three times for every transaction grouped.
const SAVEPOINT = CompiledQuery.raw('savepoint grouped')
const ROLLBACK = CompiledQuery.raw('rollback to grouped')
const RELEASE = CompiledQuery.raw('release grouped')

interface Job {
  work: (trx: Transaction<Database>) => Promise<unknown>
  outcome?: { value: unknown } | { error: unknown }
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Transactions for the writes of a grant (a refresh's rotation, a login's new session). On the embedded
 * SQLite store a commit writes the WAL on the event loop, and cost a refresh more CPU than all its other
 * work. So the transactions asked for in one turn of the event loop run one after another inside a single
 * transaction, each within a savepoint of its own, and are committed once: each still sees the writes of
 * those before it, as if they had run in turn, one that fails is rolled back alone, and none is answered
 * before the commit that makes it durable. PostgreSQL commits concurrent transactions on its own
 * connections, so there each is its own transaction.
 */
export function createGroupCommit (db: Db): InTransaction {
  if (!isEmbedded(db)) return async (work) => db.transaction().execute(work)

  async function runOne (trx: Transaction<Database>, job: Job): Promise<void> {
    await trx.executeQuery(SAVEPOINT)
    try {
      job.outcome = { value: await job.work(trx) }
    } catch (error) {
      job.outcome = { error }
      await trx.executeQuery(ROLLBACK)
    }
    await trx.executeQuery(RELEASE)
  }

  async function commit (jobs: Job[]): Promise<void> {
    // Alone in its turn, a transaction needs no savepoint: if it fails, the whole transaction rolls back.
    if (jobs.length === 1) {
      const [{ work, resolve, reject }] = jobs as [Job]
      db.transaction().execute(work).then(resolve, reject)
      return
    }
    try {
      await db.transaction().execute(async (trx) => {
        for (const job of jobs) await runOne(trx, job)
      })
    } catch (error) {
      // The commit itself failed (or the store is gone): nothing of the batch was written.
      for (const job of jobs) job.reject(error)
      return
    }
    for (const { outcome, resolve, reject } of jobs) {
      if (outcome !== undefined && 'value' in outcome) resolve(outcome.value)
      else reject(outcome?.error)
    }
  }

  // commit() settles every job itself, a failure included, so its promise is left to run.
  const commitWithOthers = perTurn<Job>((jobs) => { commit(jobs).catch(() => {}) })

  return async <T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    commitWithOthers({ work, resolve: resolve as (value: unknown) => void, reject })
  })
}
