import { sql, type Selectable } from 'kysely'
import { checkTokenTtl } from '../tokens/token-lifetime.js'
import type { Db } from '../db/database.js'
import type { ClientsTable } from '../db/tables.js'
import { TollgateError } from '@tollgate/auth/errors'
import { checkRedirectUris } from './redirect-uris.js'

/** What a client may do beyond getting tokens for itself. */
export const CLIENT_PERMISSIONS = ['introspect', 'revocations', 'token-exchange'] as const
export type ClientPermission = typeof CLIENT_PERMISSIONS[number]

export interface Client {
  id: string
  scopes: string[]
  permissions: ClientPermission[]
  /** The resources (RFC 8707) its tokens may be issued for, besides JWT_AUDIENCE. */
  audiences: string[]
  /** Its access-token lifetime in seconds; undefined for ACCESS_TOKEN_TTL. */
  tokenTtl: number | undefined
  /** SPKI PEM of its assertion key: such a client authenticates with `private_key_jwt` and has no secret. */
  publicKey: string | undefined
  /** A browser or native app (RFC 6749 §2.1): no secret, only authorization codes and refresh tokens. */
  public: boolean
  /** Where its authorization codes may be sent: exact strings (RFC 9700 §4.1). */
  redirectUris: string[]
  /** The workload it is (workload identity federation): a trusted issuer's name and the `sub` of its tokens. */
  federated: WorkloadBinding | undefined
  disabled: boolean
  createdAt: number
  /** Changes with every write: what other instances compare to notice one. */
  version: number
}

/** A trusted issuer's name and a workload's `sub` in its tokens. */
export interface WorkloadBinding {
  issuer: string
  subject: string
}

export interface ClientWithHash extends Client {
  secretHash: string | undefined
}

export interface NewClient {
  id: string
  secretHash?: string
  publicKey?: string
  federated?: WorkloadBinding
  scopes: string[]
  permissions?: ClientPermission[]
  audiences?: string[]
  tokenTtl?: number
  public?: boolean
  redirectUris?: string[]
}

/** What can change; `null` clears a secret, a key or a lifetime. */
export interface ClientChanges {
  secretHash?: string | null
  publicKey?: string | null
  /** `null` unbinds the client from its workload. */
  federated?: WorkloadBinding | null
  disabled?: boolean
  scopes?: string[]
  permissions?: ClientPermission[]
  audiences?: string[]
  tokenTtl?: number | null
  public?: boolean
  redirectUris?: string[]
}

/**
 * Lower-case letters, digits and `._-`, starting with a letter. A UUID is refused: user ids are UUIDs,
 * and a client's id is the `sub` of its tokens, so the two must never be confused.
 */
export const CLIENT_ID_PATTERN = /^[a-z][a-z0-9._-]{2,63}$/
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const SCOPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/
/** Any visible ASCII but the list separators: an absolute URI (RFC 8707 §2) or a name such as `tollgate-api`. */
export const AUDIENCE_PATTERN = /^[\x21-\x2b\x2d-\x7e]{1,256}$/
const MAX_AUDIENCES = 16

const invalid = (message: string): TollgateError => new TollgateError('ERR_INVALID_ARGUMENT', message)

export function checkClientId (id: string): void {
  if (!CLIENT_ID_PATTERN.test(id) || UUID_PATTERN.test(id)) {
    throw invalid(`client id ${JSON.stringify(id.slice(0, 80))} must be 3-64 lower-case letters, digits, ".", "_" or "-", start with a letter, and not be a UUID`)
  }
}

export function checkScopes (scopes: readonly string[]): void {
  const bad = scopes.find((scope) => !SCOPE_PATTERN.test(scope))
  if (bad !== undefined) throw invalid(`scope ${JSON.stringify(bad.slice(0, 80))} may only hold letters, digits and "_.:-"`)
}

export function checkAudiences (audiences: readonly string[]): void {
  const bad = audiences.find((audience) => !AUDIENCE_PATTERN.test(audience))
  if (bad !== undefined) throw invalid(`audience ${JSON.stringify(bad.slice(0, 80))} must be 1-256 visible characters without a comma`)
  if (new Set(audiences).size > MAX_AUDIENCES) throw invalid(`a client can have at most ${MAX_AUDIENCES} audiences`)
}

const words = (value: string): string[] => value === '' ? [] : value.split(' ')
const unique = (values: readonly string[]): string => [...new Set(values)].join(' ')

function toClient (row: Selectable<ClientsTable>): ClientWithHash {
  return {
    id: row.id,
    scopes: words(row.scopes),
    permissions: words(row.permissions).filter((name): name is ClientPermission => (CLIENT_PERMISSIONS as readonly string[]).includes(name)),
    audiences: words(row.audiences),
    tokenTtl: row.token_ttl ?? undefined,
    publicKey: row.public_key ?? undefined,
    public: row.public !== 0,
    redirectUris: words(row.redirect_uris),
    federated: row.federated_issuer === null || row.federated_subject === null ? undefined : { issuer: row.federated_issuer, subject: row.federated_subject },
    disabled: row.disabled !== 0,
    createdAt: Number(row.created_at),
    version: Number(row.updated_at),
    secretHash: row.secret_hash === '' ? undefined : row.secret_hash
  }
}

const withoutHash = ({ secretHash, ...client }: ClientWithHash): Client => client

function checkChanges (changes: ClientChanges): void {
  if (changes.scopes !== undefined) checkScopes(changes.scopes)
  if (changes.audiences !== undefined) checkAudiences(changes.audiences)
  if (typeof changes.tokenTtl === 'number') checkTokenTtl(changes.tokenTtl)
  if (changes.redirectUris !== undefined) checkRedirectUris(changes.redirectUris)
  if (changes.federated !== undefined && changes.federated !== null) checkSubject(changes.federated.subject)
}

/** A workload's `sub`: a Kubernetes service account, a SPIFFE ID, a CI job's claims; any visible text. */
function checkSubject (subject: string): void {
  if (!/^[\x21-\x7e]{1,512}$/.test(subject)) throw invalid(`subject ${JSON.stringify(subject.slice(0, 80))} must be 1-512 visible ASCII characters`)
}

export function createClientsRepository (db: Db) {
  /**
   * A workload is bound to a trusted issuer that exists, and to one client only (the unique index says so
   * too; this says it in words).
   */
  async function checkBinding (binding: WorkloadBinding | null | undefined, clientId: string): Promise<void> {
    if (binding === undefined || binding === null) return
    const issuer = await db.selectFrom('trusted_issuers').select('name').where('name', '=', binding.issuer).executeTakeFirst()
    if (issuer === undefined) throw invalid(`no trusted issuer is named ${JSON.stringify(binding.issuer.slice(0, 64))} (see \`tollgate federation list\`)`)
    const other = await db.selectFrom('clients').select('id')
      .where('federated_issuer', '=', binding.issuer).where('federated_subject', '=', binding.subject).where('id', '!=', clientId).executeTakeFirst()
    if (other !== undefined) throw invalid(`${binding.issuer}=${binding.subject.slice(0, 200)} is bound to client ${other.id} already: a workload is one client`)
  }

  async function find (id: string): Promise<ClientWithHash | undefined> {
    const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
    return row === undefined ? undefined : toClient(row)
  }

  /** Every client with its hash, or those named: what an instance holds in memory. */
  async function findAll (ids?: readonly string[]): Promise<ClientWithHash[]> {
    if (ids?.length === 0) return []
    const query = db.selectFrom('clients').selectAll()
    const rows = await (ids === undefined ? query : query.where('id', 'in', ids)).execute()
    return rows.map(toClient)
  }

  /** The version of every client: a cheap look for what changed since the last one. */
  async function versions (): Promise<Map<string, number>> {
    const rows = await db.selectFrom('clients').select(['id', 'updated_at']).execute()
    return new Map(rows.map((row) => [row.id, Number(row.updated_at)]))
  }

  async function create (input: NewClient): Promise<Client> {
    checkClientId(input.id)
    checkChanges(input)
    if (await find(input.id) !== undefined) throw new TollgateError('ERR_CLIENT_EXISTS', `client ${JSON.stringify(input.id)} already exists`)
    await checkBinding(input.federated, input.id)
    const now = Date.now()
    await db.insertInto('clients').values({
      id: input.id,
      secret_hash: input.secretHash ?? '',
      public_key: input.publicKey ?? null,
      federated_issuer: input.federated?.issuer ?? null,
      federated_subject: input.federated?.subject ?? null,
      scopes: unique(input.scopes),
      permissions: unique(input.permissions ?? []),
      audiences: unique(input.audiences ?? []),
      token_ttl: input.tokenTtl ?? null,
      public: input.public === true ? 1 : 0,
      redirect_uris: unique(input.redirectUris ?? []),
      created_at: now,
      updated_at: now
    }).execute()
    return withoutHash(await find(input.id) as ClientWithHash)
  }

  async function list (): Promise<Client[]> {
    return (await findAll()).sort((a, b) => a.id < b.id ? -1 : 1).map(withoutHash)
  }

  /**
   * Applies `changes` and moves the version on, to now or, when two writes share a millisecond, one
   * past the last, so every write is seen as one. Returns whether a client with that id exists.
   */
  async function update (id: string, changes: ClientChanges, onlyIfSecretHash?: string): Promise<boolean> {
    checkChanges(changes)
    await checkBinding(changes.federated, id)
    const now = Date.now()
    let query = db.updateTable('clients').set({
      ...(changes.secretHash === undefined ? {} : { secret_hash: changes.secretHash ?? '' }),
      ...(changes.publicKey === undefined ? {} : { public_key: changes.publicKey }),
      ...(changes.federated === undefined ? {} : { federated_issuer: changes.federated?.issuer ?? null, federated_subject: changes.federated?.subject ?? null }),
      ...(changes.disabled === undefined ? {} : { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.scopes === undefined ? {} : { scopes: unique(changes.scopes) }),
      ...(changes.permissions === undefined ? {} : { permissions: unique(changes.permissions) }),
      ...(changes.audiences === undefined ? {} : { audiences: unique(changes.audiences) }),
      ...(changes.tokenTtl === undefined ? {} : { token_ttl: changes.tokenTtl }),
      ...(changes.public === undefined ? {} : { public: changes.public ? 1 : 0 }),
      ...(changes.redirectUris === undefined ? {} : { redirect_uris: unique(changes.redirectUris) }),
      updated_at: sql<number>`case when updated_at >= ${now} then updated_at + 1 else ${now} end`
    }).where('id', '=', id)
    if (onlyIfSecretHash !== undefined) query = query.where('secret_hash', '=', onlyIfSecretHash)
    const result = await query.executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  /**
   * Replaces a secret's hash only if it is still the one that was verified, so an upgrade racing with a
   * rotation cannot bring the old secret back.
   */
  async function rehashSecret (id: string, verifiedHash: string, newHash: string): Promise<void> {
    await update(id, { secretHash: newHash }, verifiedHash)
  }

  return { find, findAll, versions, create, list, update, rehashSecret }
}

export type ClientsRepository = ReturnType<typeof createClientsRepository>
