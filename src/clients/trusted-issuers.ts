import { readFile, stat } from 'node:fs/promises'
import { InvalidTokenError } from '@tollgate/auth/errors'
import { MAX_TOKEN_LENGTH } from '@tollgate/auth/tokens/claims'
import { discoverJwksUri } from '@tollgate/auth/tokens/issuer-discovery'
import { KEY_SOURCE_HEADER } from '@tollgate/auth/tokens/refusals'
import { createRemoteKeySet, type RemoteKeySet } from '@tollgate/auth/tokens/remote-key-set'
import { createTokenDecoder } from '@tollgate/auth/tokens/unverified-token'
import { FEDERATED_ALGORITHMS, workloadKeyCheck, workloadSubject, type WorkloadTokenCheck } from './federated-assertion.js'
import type { TrustedIssuer, TrustedIssuersRepository } from './trusted-issuers-repository.js'

/** Who a verified workload token names: the trusted issuer (by its name) and the workload's `sub`. */
export interface WorkloadIdentity {
  issuer: string
  subject: string
}

export type WorkloadVerdict = WorkloadIdentity | { refused: string }

export interface TrustedIssuersOptions {
  /** The `aud` a workload token must hold one of: Tollgate's issuer and its token endpoint URL. */
  audiences: readonly string[]
  onError: (error: unknown, context: string) => void
}

interface Held {
  record: TrustedIssuer
  keys: RemoteKeySet<WorkloadTokenCheck>
  /** For a JWKS file: what it looked like when last read, so a change is noticed and read again. */
  fileStamp?: string
}

/** What an issuer's row says about where its keys are; a row whose keys moved gets a new key set. */
const keySource = (record: TrustedIssuer): string => JSON.stringify([record.issuer, record.jwksUri, record.jwksFile, record.maxLifetime])

async function fileStamp (file: string): Promise<string> {
  const { mtimeMs, size, ino } = await stat(file)
  return `${mtimeMs}:${size}:${ino}`
}

/**
 * The trusted issuers, held in memory with their key sets: each key set is fetched (or its file read) once,
 * kept, and fetched again for an unknown `kid` at most once per interval, by the relying verifier's own
 * remote key set. A file is read again when it changes. The issuers themselves are read from the store
 * at start and on every `sync` (polled), so one added or removed with the CLI arrives within a poll.
 */
export function createTrustedIssuers (repository: TrustedIssuersRepository, options: TrustedIssuersOptions) {
  const byIssuer = new Map<string, Held>()
  const decodeToken = createTokenDecoder()
  let refetchIntervalMs = 30_000

  function keySetFor (record: TrustedIssuer): RemoteKeySet<WorkloadTokenCheck> {
    const { jwksUri, jwksFile, issuer, name } = record
    let discovered: string | undefined
    return createRemoteKeySet({
      jwksUrl: jwksUri ?? (async () => (discovered ??= await discoverJwksUri(issuer))),
      ...(jwksFile === undefined ? {} : { read: async () => JSON.parse(await readFile(jwksFile, 'utf8')) as unknown }),
      refetchIntervalMs,
      onError: (error) => { options.onError(error, `could not read the keys of trusted issuer ${name}; keeping those held`) }
    }, workloadKeyCheck(record, options.audiences))
  }

  /** Reads the issuers again: new ones get a key set (fetched now, not awaited), changed ones a new one, removed ones go. */
  async function sync (): Promise<void> {
    const records = await repository.list()
    const wanted = new Set(records.map((record) => record.issuer))
    for (const issuer of byIssuer.keys()) if (!wanted.has(issuer)) byIssuer.delete(issuer)
    for (const record of records) {
      const held = byIssuer.get(record.issuer)
      if (held !== undefined && keySource(held.record) === keySource(record)) {
        if (record.jwksFile !== undefined) await rereadIfChanged(held, record.jwksFile)
        continue
      }
      const next: Held = { record, keys: keySetFor(record) }
      byIssuer.set(record.issuer, next)
      if (record.jwksFile !== undefined) await rereadIfChanged(next, record.jwksFile)
      else next.keys.refresh().catch(() => {}) // a failure is reported by the key set's onError
    }
  }

  async function rereadIfChanged (held: Held, file: string): Promise<void> {
    let stamp: string
    try {
      stamp = await fileStamp(file)
    } catch (error) {
      if (held.fileStamp !== 'missing') options.onError(error, `cannot read the JWKS file of trusted issuer ${held.record.name}; keeping the keys held`)
      held.fileStamp = 'missing'
      return
    }
    if (stamp === held.fileStamp) return
    held.fileStamp = stamp
    await held.keys.refresh()
  }

  /** Starts following the store; `refetchIntervalMs` bounds how often an unknown `kid` fetches a key set again. */
  async function start (settings: { refetchIntervalMs?: number } = {}): Promise<void> {
    refetchIntervalMs = settings.refetchIntervalMs ?? refetchIntervalMs
    await sync()
  }

  /** A token's issuer: its `iss`, or for a JWT-SVID without one, the trust domain of its `sub`. */
  function issuerOf (payload: Record<string, unknown>): Held | undefined {
    const { iss, sub } = payload
    if (typeof iss === 'string') return byIssuer.get(iss)
    if (typeof sub !== 'string') return undefined
    const trustDomain = /^spiffe:\/\/[^/]+/.exec(sub)?.[0]
    return trustDomain === undefined ? undefined : byIssuer.get(trustDomain)
  }

  /**
   * Whether an assertion is a workload's token rather than a client's own, from its unverified claims: its
   * `iss` (a URL or trust domain, never a client id) or, without one, its SPIFFE ID names a trusted issuer.
   */
  function isWorkloadToken (claims: Record<string, unknown> | undefined): boolean {
    return byIssuer.size > 0 && claims !== undefined && issuerOf(claims) !== undefined
  }

  /** The workload a token names once every check passed, or why it is refused (never the token itself). */
  async function verify (token: string): Promise<WorkloadVerdict> {
    if (token.length > MAX_TOKEN_LENGTH) return { refused: 'too long' }
    const unverified = decodeToken(token)
    if (unverified instanceof InvalidTokenError) return { refused: unverified.reason === KEY_SOURCE_HEADER ? 'key source header' : 'malformed' }
    const held = issuerOf(unverified.payload)
    if (held === undefined) return { refused: 'issuer not trusted' }
    const { header } = unverified
    if (!(FEDERATED_ALGORITHMS as readonly unknown[]).includes(header.alg)) return { refused: 'algorithm not accepted' }
    const check = await held.keys.resolve(header)
    if (check === undefined) return { refused: `no key of ${held.record.name} has this kid` }
    let claims: Record<string, unknown>
    try {
      claims = check(token)
    } catch (error) {
      // fast-jwt's messages name the claim or check that failed, never the token.
      return { refused: error instanceof Error ? error.message.slice(0, 120) : 'malformed' }
    }
    const subject = workloadSubject(claims, held.record, Date.now() / 1000)
    return 'refused' in subject ? subject : { issuer: held.record.name, subject: subject.subject }
  }

  return { start, sync, isWorkloadToken, verify }
}

export type TrustedIssuers = ReturnType<typeof createTrustedIssuers>
