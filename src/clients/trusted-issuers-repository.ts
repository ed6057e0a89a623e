import type { Selectable } from 'kysely'
import type { Db } from '../db/database.js'
import type { TrustedIssuersTable } from '../db/tables.js'
import { TollgateError } from '@tollgate/auth/errors'

/** An issuer of workload tokens Tollgate accepts as client assertions. */
export interface TrustedIssuer {
  name: string
  /** The `iss` its tokens carry, or a `spiffe://` trust domain (whose JWT-SVIDs may carry no `iss`). */
  issuer: string
  /** Where its key set is; both undefined: found from the issuer's OpenID or RFC 8414 metadata. */
  jwksUri: string | undefined
  jwksFile: string | undefined
  /** The longest `exp - iat` accepted, in seconds. */
  maxLifetime: number
  createdAt: number
}

export type NewTrustedIssuer = Omit<TrustedIssuer, 'createdAt'>

/** Kubernetes' default for projected service-account tokens. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 3600
/** A day: a workload token that lives longer is a credential to store, which federation is meant to end. */
export const MAX_LIFETIME_LIMIT_SECONDS = 86_400
const MIN_LIFETIME_SECONDS = 60

export const ISSUER_NAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])
const SPIFFE_TRUST_DOMAIN = /^spiffe:\/\/[a-z0-9._-]{1,255}$/

const invalid = (message: string): TollgateError => new TollgateError('ERR_INVALID_ARGUMENT', message)
const show = (value: string): string => JSON.stringify(value.slice(0, 200))

/** https, or http on a loopback address (tests, a sidecar); never with credentials, a query or a fragment. */
function checkUrl (what: string, value: string): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid(`${what} ${show(value)} is not a URL`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw invalid(`${what} ${show(value)} must be an https URL (http only on a loopback address)`)
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || value.length > 512) {
    throw invalid(`${what} ${show(value)} must have no credentials, query or fragment, and at most 512 characters`)
  }
}

export function checkTrustedIssuer (input: NewTrustedIssuer): void {
  if (!ISSUER_NAME_PATTERN.test(input.name)) throw invalid(`issuer name ${show(input.name)} must be 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter`)
  if (input.jwksUri !== undefined && input.jwksFile !== undefined) throw invalid('give --jwks-uri or --jwks-file, not both')
  if (input.issuer.startsWith('spiffe:')) {
    if (!SPIFFE_TRUST_DOMAIN.test(input.issuer)) throw invalid(`${show(input.issuer)} is not a SPIFFE trust domain (spiffe://example.org)`)
    // A trust domain publishes no metadata: its bundle is a file or a bundle endpoint.
    if (input.jwksUri === undefined && input.jwksFile === undefined) throw invalid('a spiffe:// trust domain needs --jwks-file or --jwks-uri')
  } else {
    checkUrl('--issuer', input.issuer)
  }
  if (input.jwksUri !== undefined) checkUrl('--jwks-uri', input.jwksUri)
  if (!Number.isInteger(input.maxLifetime) || input.maxLifetime < MIN_LIFETIME_SECONDS || input.maxLifetime > MAX_LIFETIME_LIMIT_SECONDS) {
    throw invalid(`--max-lifetime must be whole seconds from ${MIN_LIFETIME_SECONDS} to ${MAX_LIFETIME_LIMIT_SECONDS}`)
  }
}

const toIssuer = (row: Selectable<TrustedIssuersTable>): TrustedIssuer => ({
  name: row.name,
  issuer: row.issuer,
  jwksUri: row.jwks_uri ?? undefined,
  jwksFile: row.jwks_file ?? undefined,
  maxLifetime: row.max_lifetime,
  createdAt: Number(row.created_at)
})

/** The trusted issuers in the store; each instance holds them in memory (trusted-issuers.ts). */
export function createTrustedIssuersRepository (db: Db) {
  async function list (): Promise<TrustedIssuer[]> {
    const rows = await db.selectFrom('trusted_issuers').selectAll().orderBy('name').execute()
    return rows.map(toIssuer)
  }

  async function find (name: string): Promise<TrustedIssuer | undefined> {
    const row = await db.selectFrom('trusted_issuers').selectAll().where('name', '=', name).executeTakeFirst()
    return row === undefined ? undefined : toIssuer(row)
  }

  async function add (input: NewTrustedIssuer): Promise<TrustedIssuer> {
    checkTrustedIssuer(input)
    const clash = await db.selectFrom('trusted_issuers').select(['name', 'issuer'])
      .where((eb) => eb.or([eb('name', '=', input.name), eb('issuer', '=', input.issuer)])).executeTakeFirst()
    if (clash !== undefined) {
      throw invalid(clash.name === input.name ? `an issuer named ${show(input.name)} exists already` : `${show(input.issuer)} is trusted already, as ${show(clash.name)}`)
    }
    await db.insertInto('trusted_issuers').values({
      name: input.name,
      issuer: input.issuer,
      jwks_uri: input.jwksUri ?? null,
      jwks_file: input.jwksFile ?? null,
      max_lifetime: input.maxLifetime,
      created_at: Date.now()
    }).execute()
    return await find(input.name) as TrustedIssuer
  }

  /**
   * Removes an issuer no client is bound to; returns whether it existed. One with clients is kept: their
   * binding would name nothing, and the same name added again later would silently revive them.
   */
  async function remove (name: string): Promise<boolean> {
    const bound = await db.selectFrom('clients').select('id').where('federated_issuer', '=', name).orderBy('id').limit(5).execute()
    if (bound.length > 0) throw invalid(`clients are bound to ${show(name)}: ${bound.map((row) => row.id).join(', ')}; unbind or remove them first`)
    const result = await db.deleteFrom('trusted_issuers').where('name', '=', name).executeTakeFirst()
    return result.numDeletedRows > 0n
  }

  return { list, find, add, remove }
}

export type TrustedIssuersRepository = ReturnType<typeof createTrustedIssuersRepository>
