import { setTimeout as sleep } from 'node:timers/promises'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { RevocationStore } from '../revocations/revocation-store.js'
import type { ClientKey } from './client-keys.js'
import { hashClientSecret, newClientSecret } from './client-secrets.js'
import type { Client, ClientPermission, ClientsRepository } from './clients-repository.js'

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

  /** Without a key (see parseClientKey) the client gets a secret, returned here once. */
  async function add (clientId: string, settings: ClientSettings & { key?: ClientKey }): Promise<{ client: Client, secret?: string }> {
    const { key, tokenTtl, ...rest } = settings
    const secret = key === undefined ? newClientSecret() : undefined
    const client = await clients.create({
      id: clientId,
      scopes: [],
      ...rest,
      ...(tokenTtl === undefined || tokenTtl === null ? {} : { tokenTtl }),
      ...(secret === undefined ? {} : { secretHash: hashClientSecret(secret) }),
      ...(key === undefined ? {} : { publicKey: key.pem })
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
    if (!await clients.update(clientId, settings)) return false
    if (settings.scopes !== undefined || settings.audiences !== undefined) await endTokens(clientId)
    return true
  }

  /**
   * The new secret, or undefined for an unknown client. A client with a key authenticates with the secret
   * instead from now on. The old credential and the tokens got with it are refused from now on.
   */
  async function rotateSecret (clientId: string): Promise<string | undefined> {
    const secret = newClientSecret()
    if (!await clients.update(clientId, { secretHash: hashClientSecret(secret), publicKey: null })) return undefined
    // Nobody knows the new secret before it is returned, so no token got with it can precede the cut-off.
    await endTokens(clientId)
    return secret
  }

  /** Replaces the client's key (and drops its secret, if it had one); returns whether the client exists. */
  async function setKey (clientId: string, key: ClientKey): Promise<boolean> {
    if (!await clients.update(clientId, { publicKey: key.pem, secretHash: null })) return false
    await endTokens(clientId)
    return true
  }

  return { add, update, disable, enable, rotateSecret, setKey }
}

export type ClientAdministration = ReturnType<typeof createClientAdministration>
