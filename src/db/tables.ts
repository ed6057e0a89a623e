import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Column types are chosen to mean the same on SQLite and PostgreSQL: times are epoch milliseconds. */
export interface UsersTable {
  id: string
  username: string
  /** Lower-cased username: the unique key, so `Alice` and `alice` are one account. */
  username_key: string
  password_hash: string
  /** Space-separated role names. */
  roles: string
  disabled: Generated<number>
  created_at: ColumnType<number, number, never>
}

/** Access tokens revoked one by one (logout), kept until they would have expired (epoch seconds). */
export interface RevokedTokensTable {
  jti: string
  expires_at: number
  /** Epoch milliseconds; other instances poll by it. */
  revoked_at: number
}

/** Per-user cut-offs: tokens of the user with an `iat` before `not_before` (epoch seconds) are refused. */
export interface UserCutoffsTable {
  user_id: string
  not_before: number
  /** Epoch milliseconds; other instances poll by it. */
  updated_at: number
}

export interface Database {
  users: UsersTable
  revoked_tokens: RevokedTokensTable
  user_cutoffs: UserCutoffsTable
}

export type UserRow = Selectable<UsersTable>
export type NewUserRow = Insertable<UsersTable>
export type UserUpdate = Updateable<UsersTable>
