import type { ColumnType, Generated, Selectable } from 'kysely'

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

/** A chain of refresh tokens that starts at one login; its id is the `sid` claim of its access tokens. */
export interface RefreshFamiliesTable {
  id: string
  user_id: string
  created_at: number
  /** Epoch milliseconds; set once, when the family is ended (logout, reuse, user change). */
  revoked_at: number | null
  revoked_reason: string | null
  /** Epoch milliseconds of the login or the latest refresh; null for sessions older than the column. */
  last_used_at: number | null
  /** The User-Agent and client address of that latest use, for the owner to recognise the session. */
  user_agent: string | null
  address: string | null
}

/** Refresh tokens are stored only as SHA-256 hashes of the random string handed out. */
export interface RefreshTokensTable {
  token_hash: string
  family_id: string
  expires_at: number
  created_at: number
  /** Set when the token is exchanged; presenting it again is reuse. */
  spent_at: number | null
}

/** OAuth2 confidential clients (services) using the client credentials grant. */
export interface ClientsTable {
  /** The `client_id`, also the `sub` of the client's tokens. */
  id: string
  /**
   * `sha256:` and the base64url SHA-256 of the secret; an argon2id hash from before; or '' for a client
   * that authenticates with a key instead.
   */
  secret_hash: string
  /** Space-separated scopes the client may request. */
  scopes: string
  /** Space-separated permissions (CLIENT_PERMISSIONS). */
  permissions: Generated<string>
  disabled: Generated<number>
  created_at: ColumnType<number, number, never>
  /** SPKI PEM of the key its `private_key_jwt` assertions are signed with (RFC 7523); null for a secret. */
  public_key: string | null
  /** Space-separated resources (RFC 8707) its tokens may be issued for, besides JWT_AUDIENCE. */
  audiences: Generated<string>
  /** Its access-token lifetime in seconds; null for ACCESS_TOKEN_TTL. */
  token_ttl: number | null
  /** Epoch milliseconds of the last change, moved on by every write: the version other instances compare. */
  updated_at: number
}

/** The `jti` of each client assertion accepted, kept until the assertion expires (epoch seconds). */
export interface ClientAssertionJtisTable {
  client_id: string
  jti: string
  expires_at: number
}

/** When each signing key was first seen and when it stopped signing: retired keys verify for one token lifetime more. */
export interface SigningKeysTable {
  kid: string
  first_seen_at: number
  retired_at: number | null
}

export interface Database {
  users: UsersTable
  revoked_tokens: RevokedTokensTable
  user_cutoffs: UserCutoffsTable
  refresh_families: RefreshFamiliesTable
  refresh_tokens: RefreshTokensTable
  clients: ClientsTable
  client_assertion_jtis: ClientAssertionJtisTable
  signing_keys: SigningKeysTable
}

export type UserRow = Selectable<UsersTable>
