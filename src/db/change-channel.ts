/**
 * The tables whose rows every instance holds in memory: a commit that changes one is what other instances
 * must hear of. A user's change reaches them as a row of `user_cutoffs`, a session's end as
 * `refresh_families.revoked_at`.
 */
export const WATCHED_TABLES = ['clients', 'revoked_tokens', 'user_cutoffs', 'refresh_families', 'trusted_issuers'] as const

export type WatchedTable = typeof WATCHED_TABLES[number]

/**
 * The PostgreSQL channel the writers of a schema notify and its listeners follow, as an SQL expression
 * over the schema's name. Channels are shared by a whole database, so each schema has its own; hashing
 * keeps the name within PostgreSQL's 63 bytes, since a `pg_notify` with a longer name would fail the write.
 */
export const channelOf = (schemaExpression: string): string => `'tollgate_changes_' || md5(${schemaExpression})`
