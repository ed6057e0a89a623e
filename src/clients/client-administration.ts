import { setTimeout as sleep } from 'node:timers/promises'
import { TollgateError } from '@tollgate/auth/errors'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { RevocationStore } from '../revocations/revocation-store.js'
import type { ClientKey } from './client-keys.js'
import { hashClientSecret, newClientSecret } from './client-secrets.js'
import type { Client, ClientPermission, ClientsRepository, WorkloadBinding } from './clients-repository.js'

/** Resolves once the clock has reached `epochSeconds`. */
async function untilSecond (epochSeconds: number): Promise<void> {
  const wait = epochSeconds * 1000 - Date.now()
  if (wait > 0) await sleep(wait)
}

export interface ClientSettings {
  scopes?: string[]
  permissions?: ClientPermission[]
  audiences?: string[]
  /** Seconds; `null` goes back to ACCESS_TOKEN_TTL. */
  tokenTtl?: number | null
  /** Where its authorization codes may be sent (exact strings; see redirect-uris.ts). */
  redirectUris?: string[]
  /** A public client has no secret or key: it gets only authorization codes (with PKCE) and refresh tokens. */
  public?: boolean
}

export interface ClientAdministrationDeps {
  clients: ClientsRepository
  revocations: RevocationList
  revocationStore: RevocationStore
}

/**
 * What an operator does to clients: create one with a fresh secret or a public key, change what its
 * tokens may carry, disable or enable it, replace its secret or key. A secret is returned once and only
 * its hash is kept. Disabling, replacing a secret or key, and narrowing what a client may have also end
 * the tokens it holds (a cut-off on its id, the `sub` of its tokens).
 *
 * A cut-off has whole seconds and a server applies it only once it has read it, so a token issued in the
 * cut-off's last second would be ended too. Enabling, and handing out a new credential, therefore wait
 * for that second to pass (at most one second), so the client's next token is never ended.
 */
export function createClientAdministration ({ clients, revocations, revocationStore }: ClientAdministrationDeps) {
  async function endTokens (clientId: string): Promise<void> {
    await revocationStore.cutOff(clientId, revocations.nextCutoff(clientId))
    await untilSecond(revocations.notBefore(clientId))
  }

  /**
   * Without a key (see parseClientKey) or a workload to be (`federated`), a confidential client gets a
   * secret, returned here once.
   */
  async function add (clientId: string, settings: ClientSettings & { key?: ClientKey, federated?: WorkloadBinding }): Promise<{ client: Client, secret?: string }> {
    const { key, federated, tokenTtl, ...rest } = settings
    if (key !== undefined && federated !== undefined) throw new TollgateError('ERR_INVALID_ARGUMENT', 'a client is a workload or has a key, not both')
    if (settings.public === true && (key !== undefined || federated !== undefined)) throw new TollgateError('ERR_INVALID_ARGUMENT', 'a public client has no key and is no workload: it proves nothing but its client_id')
    const secret = key === undefined && federated === undefined && settings.public !== true ? newClientSecret() : undefined
    const client = await clients.create({
      id: clientId,
      scopes: [],
      ...rest,
      ...(tokenTtl === undefined || tokenTtl === null ? {} : { tokenTtl }),
      ...(secret === undefined ? {} : { secretHash: hashClientSecret(secret) }),
      ...(key === undefined ? {} : { publicKey: key.pem }),
      ...(federated === undefined ? {} : { federated })
    })
    return { client, ...(secret === undefined ? {} : { secret }) }
  }

  /** Returns whether the client exists. Disabled first, so no token can be issued after the cut-off. */
  async function disable (clientId: string): Promise<boolean> {
    if (!await clients.update(clientId, { disabled: true })) return false
    await revocationStore.cutOff(clientId, revocations.nextCutoff(clientId))
    return true
  }

  /** Returns whether the client exists. */
  async function enable (clientId: string): Promise<boolean> {
    const client = await clients.find(clientId)
    if (client === undefined) return false
    if (!client.disabled) return true
    await untilSecond(revocations.notBefore(clientId))
    await clients.update(clientId, { disabled: false })
    return true
  }

  /**
   * Changes scopes, audiences or lifetime; returns whether the client exists. Tokens it holds end when
   * its scopes or audiences change, as a user's do when their roles change: none keeps what was taken away.
   */
  async function update (clientId: string, settings: ClientSettings): Promise<boolean> {
    // Made public, a client's secret or key no longer proves anything: both go, and the tokens got with them.
    const credentials = settings.public === true ? { secretHash: null, publicKey: null } : {}
    if (!await clients.update(clientId, { ...settings, ...credentials })) return false
    if (settings.scopes !== undefined || settings.audiences !== undefined || settings.public === true) await endTokens(clientId)
    return true
  }

  /**
   * The new secret, or undefined for an unknown client. A client with a key authenticates with the secret
   * instead from now on. The old credential and the tokens got with it are refused from now on.
   */
  async function rotateSecret (clientId: string): Promise<string | undefined> {
    const secret = newClientSecret()
    if (!await clients.update(clientId, { secretHash: hashClientSecret(secret), publicKey: null, public: false, federated: null })) return undefined
    // Nobody knows the new secret before it is returned, so no token got with it can precede the cut-off.
    await endTokens(clientId)
    return secret
  }

  /** Replaces the client's key (and drops its secret, if it had one); returns whether the client exists. */
  async function setKey (clientId: string, key: ClientKey): Promise<boolean> {
    if (!await clients.update(clientId, { publicKey: key.pem, secretHash: null, public: false, federated: null })) return false
    await endTokens(clientId)
    return true
  }

  /**
   * Makes the client the workload `binding` names, with no secret or key of its own; returns whether the
   * client exists. What it held with its old credential ends, as with a new key.
   */
  async function bindWorkload (clientId: string, binding: WorkloadBinding): Promise<boolean> {
    if (!await clients.update(clientId, { federated: binding, secretHash: null, publicKey: null })) return false
    await endTokens(clientId)
    return true
  }

  return { add, update, disable, enable, rotateSecret, setKey, bindWorkload }
}

export type ClientAdministration = ReturnType<typeof createClientAdministration>
