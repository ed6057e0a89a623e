import type { PasswordHasher } from '../passwords/password-hasher.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { issueAccessToken, type TokenResponse } from '../sessions/token-response.js'
import type { TokenService } from '../tokens/token-service.js'
import { fail, ok, TollgateError, type Result } from '@tollgate/auth/errors'
import type { JtiRegistry } from './assertion-replay.js'
import { unverifiedClaims } from './client-assertion.js'
import type { ClientDirectory, ClientRecord } from './client-directory.js'
import { hashClientSecret, secretMatches } from './client-secrets.js'
import { createFailureBudget } from './failure-budget.js'
import type { ClientsRepository } from './clients-repository.js'
import type { TrustedIssuers } from './trusted-issuers.js'
import { audienceFor } from './resource.js'

/** How a client proves who it is at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export type ClientProof =
  | { method: 'client_secret_basic' | 'client_secret_post', id: string, secret: string }
  /**
   * `id` is the `client_id` parameter, optional beside an assertion (RFC 7521 §4.2). The assertion is the
   * client's own, or a workload's token from a trusted issuer (workload identity federation); `spiffe`
   * when sent as a JWT-SVID (draft-ietf-oauth-spiffe-client-auth), which only the latter can be.
   */
  | { method: 'private_key_jwt', assertion: string, id?: string, spiffe?: true }

export interface ClientGrantRequest {
  proof: ClientProof
  scope?: string | undefined
  /** RFC 8707 `resource`: which audience the token is for. */
  resource?: string | readonly string[] | undefined
}

/** A token issued, to whom and how it authenticated, for the audit log. */
export type ClientGrantResult = Result<{ clientId: string, method: string, response: TokenResponse }>

/** How the audit log names an authentication with a workload's token. */
export const WORKLOAD_METHOD = 'workload_federation'

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
  /** The trusted issuers of workload tokens, and their keys. */
  federation: Pick<TrustedIssuers, 'isWorkloadToken' | 'verify'>
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
  const { directory, clients, passwords, jtis, federation, tokens, revocations, defaultAudience } = deps
  const legacyFailures = createFailureBudget()

  /**
   * A hash from before is checked with argon2 once, and replaced by the SHA-256 of the secret it proved:
   * the client's later grants cost what everyone else's do. Failed checks are budgeted per client, so
   * wrong secrets cannot queue argon2 work ahead of users' logins.
   */
  async function checkLegacySecret (record: ClientRecord, hash: string, secret: string): Promise<boolean | TollgateError> {
    const wait = legacyFailures.spend(record.id)
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000)
      return new TollgateError('ERR_TOO_MANY_ATTEMPTS', `Too many failed authentications for this client: try again in ${seconds} seconds`, { reason: 'legacy secret throttled', subject: record.id })
    }
    if (!(await passwords.verify(hash, secret)).ok) return false
    legacyFailures.succeeded(record.id)
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
    if (matched instanceof TollgateError) return fail(matched)
    if (!matched || record === undefined) return refused('secret', id)
    return record.disabled ? refused('disabled', id) : ok(record)
  }

  /**
   * A workload's own token, signed by a trusted issuer: it names the workload, whose one client it
   * authenticates. It carries no `jti` to spend (a JWT-SVID may have none) and is presented again until
   * the platform replaces it, so it is not refused as a replay; its short lifetime is what bounds it.
   */
  async function checkWorkloadToken (token: string, claimedId: string | undefined): Promise<Result<ClientRecord>> {
    const verdict = await federation.verify(token)
    if ('refused' in verdict) return refused(`workload token: ${verdict.refused}`, claimedId)
    const record = directory.getByWorkload(verdict.issuer, verdict.subject)
    if (record === undefined) return refused(`workload token: no client is bound to ${verdict.issuer}=${verdict.subject}`, claimedId)
    if (claimedId !== undefined && claimedId !== record.id) return refused(`workload token: client_id is not ${record.id}, the client bound to it`, claimedId)
    return record.disabled ? refused('disabled', record.id) : ok(record)
  }

  /**
   * RFC 7523 §3: the assertion's issuer is the client; its key, claims and jti decide. An issuer that is a
   * trusted issuer of workload tokens (a URL, never a client id) makes it a workload's token instead.
   */
  async function checkAssertion ({ assertion, id: claimedId, spiffe }: Extract<ClientProof, { method: 'private_key_jwt' }>): Promise<Result<ClientRecord>> {
    // Decoded once, unverified, to tell whose assertion it is; the checks that follow verify it.
    const claims = unverifiedClaims(assertion)
    const id = typeof claims?.iss === 'string' ? claims.iss : undefined
    // A JWT-SVID may carry no `iss` (its trust domain is in its `sub`); anything else without one is no assertion.
    if (spiffe === true || federation.isWorkloadToken(claims)) return checkWorkloadToken(assertion, claimedId)
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
    ? checkAssertion(proof)
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
    return ok({ clientId: client.id, method: client.federated === undefined ? proof.method : WORKLOAD_METHOD, response })
  }

  return { authenticate, grant }
}

export type ClientCredentials = ReturnType<typeof createClientCredentials>
