import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { issueAccessToken, type TokenResponse } from '../sessions/token-response.js'
import type { TokenService } from '../tokens/token-service.js'
import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'
import type { JtiRegistry } from './assertion-replay.js'
import { assertionIssuer } from './client-assertion.js'
import type { ClientDirectory, ClientRecord } from './client-directory.js'
import { hashClientSecret, secretMatches } from './client-secrets.js'
import type { ClientsRepository } from './clients-repository.js'
import { audienceFor } from './resource.js'

/** How a client proves who it is at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export type ClientProof =
  | { method: 'client_secret_basic' | 'client_secret_post', id: string, secret: string }
  /** `id` is the `client_id` parameter, optional beside an assertion (RFC 7521 §4.2). */
  | { method: 'private_key_jwt', assertion: string, id?: string }

export interface ClientGrantRequest {
  proof: ClientProof
  scope?: string | undefined
  /** RFC 8707 `resource`: which audience the token is for. */
  resource?: string | readonly string[] | undefined
}

/** A token issued, and to whom, for the audit log. */
export type ClientGrantResult = Result<{ clientId: string, response: TokenResponse }>

/**
 * Every failed client authentication gets this one answer (RFC 6749 §5.2 `invalid_client`): an unknown
 * client, a wrong secret, a refused assertion and a disabled client cannot be told apart. `reason` and
 * `subject` (the id the client claimed) go to the audit log only.
 */
const refused = (reason: string, clientId: string | undefined): { ok: false, error: TollgateError } =>
  fail(new TollgateError('ERR_INVALID_CLIENT', 'Client authentication failed', { reason, ...(clientId === undefined ? {} : { subject: clientId }) }))

export interface ClientCredentialsDeps {
  directory: ClientDirectory
  clients: ClientsRepository
  /** Verifies the argon2 hashes stored before secrets were hashed with SHA-256. */
  passwords: PasswordHasher
  jtis: JtiRegistry
  tokens: TokenService
  revocations: RevocationList
  /** JWT_AUDIENCE: the `aud` of a token asked for without `resource`. */
  defaultAudience: string
}

/**
 * The client credentials grant (RFC 6749 §4.4): a service proves its identity with its secret or a signed
 * assertion and gets an access token whose `sub` is the client, with the scopes it asked for out of those
 * it is allowed, for the audience it asked for, and no refresh token (it can always ask again). Clients
 * are read from memory: a grant touches no database unless an assertion's jti has to be recorded there.
 */
export function createClientCredentials (deps: ClientCredentialsDeps) {
  const { directory, clients, passwords, jtis, tokens, revocations, defaultAudience } = deps

  /**
   * A hash from before is checked with argon2 once, and replaced by the SHA-256 of the secret it proved:
   * the client's later grants cost what everyone else's do.
   */
  async function checkLegacySecret (record: ClientRecord, hash: string, secret: string): Promise<boolean> {
    if (!(await passwords.verify(hash, secret)).ok) return false
    await clients.rehashSecret(record.id, hash, hashClientSecret(secret))
    return true
  }

  async function checkSecret (id: string, secret: string): Promise<Result<ClientRecord>> {
    const record = directory.get(id)
    const stored = record?.secret
    const matched = stored?.kind === 'argon2'
      ? await checkLegacySecret(record as ClientRecord, stored.hash, secret)
      // An unknown client, or one with a key, is compared with a digest nobody has: the same cost.
      : secretMatches(stored?.digest, secret)
    if (!matched || record === undefined) return refused('secret', id)
    return record.disabled ? refused('disabled', id) : ok(record)
  }

  /** RFC 7523 §3: the assertion's issuer is the client; its key, claims and jti decide. */
  async function checkAssertion (assertion: string, claimedId: string | undefined): Promise<Result<ClientRecord>> {
    const id = assertionIssuer(assertion)
    if (id === undefined) return refused('assertion without an issuer', claimedId)
    if (claimedId !== undefined && claimedId !== id) return refused('client_id is not the assertion\'s issuer', claimedId)
    const record = directory.get(id)
    if (record?.checkAssertion === undefined) return refused('no key for the assertion\'s issuer', id)
    const checked = record.checkAssertion(assertion)
    if ('refused' in checked) return refused(`assertion: ${checked.refused}`, id)
    if (record.disabled) return refused('disabled', id)
    if (!await jtis.firstUse(id, checked.jti, checked.exp)) return refused('assertion replayed', id)
    return ok(record)
  }

  const authenticate = (proof: ClientProof): Promise<Result<ClientRecord>> => proof.method === 'private_key_jwt'
    ? checkAssertion(proof.assertion, proof.id)
    : checkSecret(proof.id, proof.secret)

  async function grant ({ proof, scope: requestedScope, resource }: ClientGrantRequest): Promise<ClientGrantResult> {
    const authenticated = await authenticate(proof)
    if (!authenticated.ok) return authenticated
    const client = authenticated.value
    // RFC 6749 §3.3: without a `scope` parameter the client gets its whole allowed set.
    const requested = requestedScope === undefined ? client.scopes : requestedScope.split(' ').filter((scope) => scope !== '')
    const refusedScopes = requested.filter((scope) => !client.scopes.includes(scope))
    if (refusedScopes.length > 0) {
      return fail(new TollgateError('ERR_INVALID_SCOPE', `The client may not request: ${refusedScopes.join(' ').slice(0, 200)}`, { subject: client.id }))
    }
    const audience = audienceFor(client.audiences, resource, defaultAudience)
    if (!audience.ok) return fail(new TollgateError(audience.error.code, audience.error.message, { subject: client.id }))
    const scope = [...new Set(requested)].join(' ')
    const response = issueAccessToken(tokens, revocations, {
      id: client.id,
      roles: [],
      scope,
      clientId: client.id,
      audience: audience.value,
      ...(client.tokenTtl === undefined ? {} : { ttlSeconds: client.tokenTtl })
    })
    return ok({ clientId: client.id, response })
  }

  return { authenticate, grant }
}

export type ClientCredentials = ReturnType<typeof createClientCredentials>
