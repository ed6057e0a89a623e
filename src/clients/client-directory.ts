import { createAssertionCheck, type AssertionCheck } from './client-assertion.js'
import { parseClientKey } from './client-keys.js'
import { parseStoredSecret, type StoredSecret } from './client-secrets.js'
import type { Client, ClientsRepository, ClientWithHash } from './clients-repository.js'

/** A client as the grant checks it: its secret parsed, its assertion check built once. */
export interface ClientRecord extends Client {
  secret: StoredSecret | undefined
  /** Undefined for a client with a secret (or a stored key that no longer parses). */
  checkAssertion: AssertionCheck | undefined
}

export interface ClientDirectoryOptions {
  /** The `aud` values a client assertion may carry (RFC 7523 §3: the issuer or the token endpoint). */
  assertionAudiences: readonly string[]
  onError: (error: unknown, context: string) => void
}

/**
 * Every client, held in memory: a grant reads no database, and an unknown client is a map miss that
 * costs what a known one does. The copy follows the store three ways: a change made here is applied at
 * once (`refresh`), one made elsewhere arrives by message (`refresh` again, through Redis), and `sync`,
 * polled, catches what a message missed, by comparing each client's version.
 */
export function createClientDirectory (repository: ClientsRepository, options: ClientDirectoryOptions) {
  const records = new Map<string, ClientRecord>()
  /** Each workload's client, by issuer name and subject: a federated grant is a map lookup too. */
  const byWorkload = new Map<string, string>()
  const workloadKey = (issuer: string, subject: string): string => `${issuer}\n${subject}`

  function forget (id: string): void {
    const bound = records.get(id)?.federated
    if (bound !== undefined && byWorkload.get(workloadKey(bound.issuer, bound.subject)) === id) byWorkload.delete(workloadKey(bound.issuer, bound.subject))
    records.delete(id)
  }

  function toRecord ({ secretHash, ...client }: ClientWithHash): ClientRecord {
    let checkAssertion: AssertionCheck | undefined
    if (client.publicKey !== undefined) {
      try {
        checkAssertion = createAssertionCheck(client.id, parseClientKey(client.publicKey), options.assertionAudiences)
      } catch (error) {
        options.onError(error, `the stored key of client ${client.id} cannot be used; it cannot authenticate until it gets a new one`)
      }
    }
    return { ...client, secret: parseStoredSecret(secretHash), checkAssertion }
  }

  function store (clients: readonly ClientWithHash[]): void {
    for (const client of clients) {
      forget(client.id)
      const record = toRecord(client)
      records.set(client.id, record)
      if (record.federated !== undefined) byWorkload.set(workloadKey(record.federated.issuer, record.federated.subject), record.id)
    }
  }

  /** Reads every client again. */
  async function load (): Promise<void> {
    const clients = await repository.findAll()
    records.clear()
    byWorkload.clear()
    store(clients)
  }

  /** Reads one client again (it changed); one that no longer exists is forgotten. */
  async function refresh (id: string): Promise<void> {
    const client = await repository.find(id)
    if (client === undefined) forget(id)
    else store([client])
  }

  /** Reads the clients whose version differs from the one held, and forgets those gone. */
  async function sync (): Promise<void> {
    const versions = await repository.versions()
    for (const id of [...records.keys()]) if (!versions.has(id)) forget(id)
    const changed = [...versions].filter(([id, version]) => records.get(id)?.version !== version).map(([id]) => id)
    store(await repository.findAll(changed))
  }

  const get = (id: string): ClientRecord | undefined => records.get(id)

  /** The client bound to a workload: `subject` in the tokens of the trusted issuer named `issuer`. */
  const getByWorkload = (issuer: string, subject: string): ClientRecord | undefined => {
    const id = byWorkload.get(workloadKey(issuer, subject))
    return id === undefined ? undefined : records.get(id)
  }

  return { get, getByWorkload, load, refresh, sync }
}

export type ClientDirectory = ReturnType<typeof createClientDirectory>
