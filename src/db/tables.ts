import type { ColumnType, Generated, Selectable } from 'kysely'

/** Column types are chosen to mean the same on SQLite and PostgreSQL: times are epoch milliseconds. */
export interface UsersTable {
  id: string
  username: string
  /** Lower-cased username: the unique key, so `Alice` and `alice` are one account. */
  username_key: string
  /** Its confusable skeleton (Unicode TS #39), unique, so look-alike names are one; null for a look-alike from before. */
  username_skeleton: string | null
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
  /** 1 for a public client (a browser or native app): no secret, only authorization codes and refresh tokens. */
  public: Generated<number>
  /** Space-separated redirect URIs, compared as exact strings (RFC 9700 §4.1). */
  redirect_uris: Generated<string>
  /** The trusted issuer (its name) whose workload this client is; null for a client with a secret or key. */
  federated_issuer: string | null
  /** That workload's `sub` in the issuer's tokens. */
  federated_subject: string | null
}

/** Authorization codes (RFC 6749 §4.1.2), by the SHA-256 of the code handed out, with what each is bound to. */
export interface AuthorizationCodesTable {
  code_hash: string
  client_id: string
  user_id: string
  redirect_uri: string
  /** The S256 code challenge (RFC 7636 §4.2). */
  code_challenge: string
  scope: string
  resource: string
  /** Epoch milliseconds. */
  expires_at: number
  used_at: number | null
  /** The session the code started, ended if the code comes back. */
  family_id: string | null
}

/** Issuers of workload tokens Tollgate accepts as client assertions (workload identity federation). */
export interface TrustedIssuersTable {
  name: string
  /** The `iss` of its tokens, or a `spiffe://` trust domain. */
  issuer: string
  /** Where its JWKS is; null with a file or to find it from the issuer's metadata. */
  jwks_uri: string | null
  /** A JWKS file read (again when it changes) instead of fetched. */
  jwks_file: string | null
  /** The longest `exp - iat` accepted from it, in seconds. */
  max_lifetime: number
  created_at: ColumnType<number, number, never>
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
  trusted_issuers: TrustedIssuersTable
  signing_keys: SigningKeysTable
  authorization_codes: AuthorizationCodesTable
}

export type UserRow = Selectable<UsersTable>
