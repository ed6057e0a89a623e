import type { Compilable, CompiledQuery } from 'kysely'

/**
 * A query built and compiled once, for the statements every grant runs: Kysely builds and compiles a
 * query anew each time it runs, which cost a refresh more CPU than SQLite took to execute its statements.
 * Each run gives the parameters in the order they appear in the SQL (the order the query was written in:
 * `set` values, then `where` values; `values` in column order), and the query's own values are only
 * placeholders.
 */
export function compiledOnce<Row> (query: Compilable<Row>): (...parameters: readonly unknown[]) => CompiledQuery<Row> {
  const compiled = query.compile()
  return (...parameters) => ({ ...compiled, parameters })
}
