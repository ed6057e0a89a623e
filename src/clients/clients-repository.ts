import { randomBytes } from 'node:crypto'
import type { Db } from '../db/database.js'
import { TollgateError } from '../errors.js'
import type { ClientsTable } from '../db/tables.js'
import type { Selectable } from 'kysely'

/** What a client may do beyond getting tokens for itself. */
export const CLIENT_PERMISSIONS = ['introspect', 'revocations'] as const
export type ClientPermission = typeof CLIENT_PERMISSIONS[number]

export interface Client {
  id: string
  scopes: string[]
  permissions: ClientPermission[]
  disabled: boolean
  createdAt: number
}

export interface ClientWithHash extends Client {
  secretHash: string
}

/**
 * Lower-case letters, digits and `._-`, starting with a letter. A UUID is refused: user ids are UUIDs,
 * and a client's id is the `sub` of its tokens, so the two must never be confused.
 */
export const CLIENT_ID_PATTERN = /^[a-z][a-z0-9._-]{2,63}$/
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const SCOPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/

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

/** A client secret: 256 random bits, shown once and stored only as an argon2id hash. */
export const newClientSecret = (): string => randomBytes(32).toString('base64url')

function toClient (row: Selectable<ClientsTable>): ClientWithHash {
  return {
    id: row.id,
    scopes: row.scopes === '' ? [] : row.scopes.split(' '),
    permissions: row.permissions.split(' ').filter((name): name is ClientPermission => (CLIENT_PERMISSIONS as readonly string[]).includes(name)),
    disabled: row.disabled !== 0,
    createdAt: Number(row.created_at),
    secretHash: row.secret_hash
  }
}

export function createClientsRepository (db: Db) {
  async function find (id: string): Promise<ClientWithHash | undefined> {
    const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
    return row === undefined ? undefined : toClient(row)
  }

  async function create (input: { id: string, secretHash: string, scopes: string[], permissions?: ClientPermission[] }): Promise<Client> {
    checkClientId(input.id)
    checkScopes(input.scopes)
    const permissions = [...new Set(input.permissions ?? [])]
    if (await find(input.id) !== undefined) throw new TollgateError('ERR_CLIENT_EXISTS', `client ${JSON.stringify(input.id)} already exists`)
    const createdAt = Date.now()
    const scopes = [...new Set(input.scopes)]
    await db.insertInto('clients').values({
      id: input.id, secret_hash: input.secretHash, scopes: scopes.join(' '), permissions: permissions.join(' '), created_at: createdAt
    }).execute()
    return { id: input.id, scopes, permissions, disabled: false, createdAt }
  }

  async function list (): Promise<Client[]> {
    const rows = await db.selectFrom('clients').selectAll().orderBy('id').execute()
    return rows.map((row) => { const { secretHash, ...client } = toClient(row); return client })
  }

  /** Returns whether a client with that id exists. */
  async function update (id: string, changes: { secretHash?: string, disabled?: boolean, scopes?: string[], permissions?: ClientPermission[] }): Promise<boolean> {
    if (changes.scopes !== undefined) checkScopes(changes.scopes)
    const result = await db.updateTable('clients').set({
      ...(changes.secretHash === undefined ? {} : { secret_hash: changes.secretHash }),
      ...(changes.disabled === undefined ? {} : { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.scopes === undefined ? {} : { scopes: [...new Set(changes.scopes)].join(' ') }),
      ...(changes.permissions === undefined ? {} : { permissions: [...new Set(changes.permissions)].join(' ') })
    }).where('id', '=', id).executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  /**
   * Upgrades a secret's hash only if it is still the one that was verified, so a rehash racing with a
   * rotation cannot bring the old secret back.
   */
  async function rehashSecret (id: string, verifiedHash: string, newHash: string): Promise<void> {
    await db.updateTable('clients').set({ secret_hash: newHash }).where('id', '=', id).where('secret_hash', '=', verifiedHash).execute()
  }

  return { find, create, list, update, rehashSecret }
}

export type ClientsRepository = ReturnType<typeof createClientsRepository>
