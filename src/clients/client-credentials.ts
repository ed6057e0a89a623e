import { setTimeout as sleep } from 'node:timers/promises'
import type { PasswordHasher } from '../auth/passwords.js'
import type { RevocationList } from '../auth/revocation-list.js'
import type { RevocationStore } from '../auth/revocation-store.js'
import { issueAccessToken, type TokenResponse } from '../auth/token-response.js'
import { fail, ok, TollgateError, type Result } from '../errors.js'
import type { TokenService } from '../auth/tokens.js'
import { newClientSecret, type Client, type ClientPermission, type ClientsRepository } from './clients-repository.js'

export type ClientGrantResult = Result<TokenResponse>

const CLIENT_REFUSED = new TollgateError('ERR_INVALID_CLIENT', 'Client authentication failed')

/**
 * The client credentials grant (RFC 6749 §4.4): a service proves its identity with its secret and gets an
 * access token whose `sub` is the client, with the scopes it asked for out of those it is allowed, and no
 * refresh token (it can always ask again).
 */
export function createClientCredentials ({ clients, passwords, tokens, revocations }: {
  clients: ClientsRepository
  passwords: PasswordHasher
  tokens: TokenService
  revocations: RevocationList
}) {
  /** An unknown client, a wrong secret and a disabled client cost the same and look the same. */
  async function checkSecret (clientId: string, secret: string): Promise<Client | undefined> {
    const found = await clients.find(clientId)
    const check = await passwords.verify(found?.secretHash, secret)
    if (!check.ok || found === undefined || found.disabled) return undefined
    if (check.value.rehash !== undefined) await clients.rehashSecret(found.id, found.secretHash, check.value.rehash)
    const { secretHash, ...client } = found
    return client
  }

  async function grant (clientId: string, secret: string, requestedScope: string | undefined): Promise<ClientGrantResult> {
    const client = await checkSecret(clientId, secret)
    if (client === undefined) return fail(CLIENT_REFUSED)
    // RFC 6749 §3.3: without a `scope` parameter the client gets its whole allowed set.
    const requested = requestedScope === undefined ? client.scopes : requestedScope.split(' ').filter((scope) => scope !== '')
    const refused = requested.filter((scope) => !client.scopes.includes(scope))
    if (refused.length > 0) {
      return fail(new TollgateError('ERR_INVALID_SCOPE', `The client may not request: ${refused.join(' ').slice(0, 200)}`))
    }
    const scope = [...new Set(requested)].join(' ')
    return ok(issueAccessToken(tokens, revocations, { id: client.id, roles: [], scope, clientId: client.id }))
  }

  return { checkSecret, grant }
}

export type ClientCredentials = ReturnType<typeof createClientCredentials>

/** Resolves once the clock has reached `epochSeconds`. */
async function untilSecond (epochSeconds: number): Promise<void> {
  const wait = epochSeconds * 1000 - Date.now()
  if (wait > 0) await sleep(wait)
}

/**
 * What an operator does to clients: create one with a fresh secret, disable or enable it, replace its secret.
 * A secret is returned once and only its hash is kept. Disabling and rotating also end the tokens the client
 * holds (a cut-off on its id, the `sub` of its tokens): whoever had the old secret keeps nothing it got with it.
 *
 * A cut-off has whole seconds and a server applies it only once it has read it, so a token issued in the
 * cut-off's last second would be ended too. Enabling, and handing out a rotated secret, therefore wait for
 * that second to pass (at most one second), so the client's next token is never ended.
 */
export function createClientAdministration ({ clients, passwords, revocations, revocationStore }: {
  clients: ClientsRepository
  passwords: PasswordHasher
  revocations: RevocationList
  revocationStore: RevocationStore
}) {
  async function endTokens (clientId: string): Promise<void> {
    await revocationStore.cutOff(clientId, revocations.nextCutoff(clientId))
  }

  async function add (clientId: string, scopes: string[], permissions: ClientPermission[] = []): Promise<{ client: Client, secret: string }> {
    const secret = newClientSecret()
    const client = await clients.create({ id: clientId, secretHash: await passwords.hash(secret), scopes, permissions })
    return { client, secret }
  }

  /** Returns whether the client exists. Disabled first, so no token can be issued after the cut-off. */
  async function disable (clientId: string): Promise<boolean> {
    if (!await clients.update(clientId, { disabled: true })) return false
    await endTokens(clientId)
    return true
  }

  /** Returns whether the client exists. */
  async function enable (clientId: string): Promise<boolean> {
    const client = await clients.find(clientId)
    if (client === undefined) return false
    if (!client.disabled) return true
    await untilSecond(revocations.notBefore(clientId))
    return clients.update(clientId, { disabled: false })
  }

  /** The new secret, or undefined for an unknown client. The old secret is refused from now on. */
  async function rotateSecret (clientId: string): Promise<string | undefined> {
    const secret = newClientSecret()
    if (!await clients.update(clientId, { secretHash: await passwords.hash(secret) })) return undefined
    await endTokens(clientId)
    // Nobody knows the new secret before it is returned, so no token got with it can precede the cut-off.
    await untilSecond(revocations.notBefore(clientId))
    return secret
  }

  return { add, disable, enable, rotateSecret }
}

export type ClientAdministration = ReturnType<typeof createClientAdministration>
