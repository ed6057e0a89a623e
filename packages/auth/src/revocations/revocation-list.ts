import { CLOCK_LEEWAY_SECONDS, type AccessClaims } from '../tokens/claims.js'

/**
 * One revocation, as stored, published to other instances and applied in memory:
 * - `token`: the access token with this `jti` is refused until `until` (its `exp`);
 * - `session`: every access token with this `sid` (one login's refresh family) is refused until `until`;
 * - `cutoff`: every token of user `id` with an `iat` before `until` is refused.
 * All times are epoch seconds.
 */
export interface Revocation {
  kind: 'token' | 'session' | 'cutoff'
  id: string
  until: number
}

const KINDS = new Set(['token', 'session', 'cutoff'])

/** A revocation read from outside (a Redis message, the feed), or undefined when it is not one. */
export function parseRevocation (value: unknown): Revocation | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { kind, id, until } = value as Record<string, unknown>
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof id !== 'string' || typeof until !== 'number') return undefined
  return { kind: kind as Revocation['kind'], id, until }
}

/**
 * Where a revocation came from: this instance, another one through Redis (a pub/sub message, or the
 * keys read after a reconnect), or the database: read at once when another connection's commit was heard
 * of (`database-change`), or by the periodic poll that catches what was missed.
 */
export type RevocationSource = 'local' | 'redis-pubsub' | 'redis-load' | 'database-change' | 'database-poll'

const SOURCES: readonly RevocationSource[] = ['local', 'redis-pubsub', 'redis-load', 'database-change', 'database-poll']

/**
 * The in-memory view every authenticated request is checked against, in O(1) and without I/O.
 * Stores and other instances feed it through `apply`.
 */
export class RevocationList {
  readonly #tokens = new Map<string, number>()
  readonly #sessions = new Map<string, number>()
  readonly #cutoffs = new Map<string, number>()
  readonly #listeners = new Set<(revocation: Revocation) => void>()

  /**
   * Revocations that changed this list, by the path that brought each first: a revocation known already
   * (an instance hearing its own message, a poll finding what pub/sub delivered) is not counted again.
   */
  readonly applied = Object.fromEntries(SOURCES.map((source) => [source, { token: 0, session: 0, cutoff: 0 }])) as
    Record<RevocationSource, Record<Revocation['kind'], number>>

  /** An arrow property, so it can be handed out as a callback without binding. */
  readonly isRevoked = (claims: AccessClaims): boolean => {
    if (this.#tokens.size !== 0 && this.#tokens.has(claims.jti)) return true
    if (this.#sessions.size !== 0 && claims.sid !== undefined && this.#sessions.has(claims.sid)) return true
    if (this.#cutoffs.size === 0) return false
    const cutoff = this.#cutoffs.get(claims.sub)
    return cutoff !== undefined && claims.iat < cutoff
  }

  isSessionRevoked (sid: string): boolean {
    return this.#sessions.has(sid)
  }

  /**
   * Idempotent and order-independent: a cut-off only ever moves later, so replays and late messages are
   * harmless. Listeners hear of what changed the list, once.
   */
  apply (revocation: Revocation, source: RevocationSource = 'local'): void {
    const { kind, id, until } = revocation
    const map = this.#map(kind)
    const known = map.get(id)
    if (known !== undefined && until <= known) return
    map.set(id, until)
    this.applied[source][kind]++
    for (const listener of this.#listeners) listener(revocation)
  }

  /** Calls `listener` with every revocation that changes the list from now on; returns how to stop. */
  subscribe (listener: (revocation: Revocation) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /** Everything the list holds now, for a newcomer to start from. */
  snapshot (): Revocation[] {
    const entries = (kind: Revocation['kind']) => [...this.#map(kind)].map(([id, until]) => ({ kind, id, until }))
    return [...entries('token'), ...entries('session'), ...entries('cutoff')]
  }

  #map (kind: Revocation['kind']): Map<string, number> {
    return kind === 'token' ? this.#tokens : kind === 'session' ? this.#sessions : this.#cutoffs
  }

  /** The first `iat` a new token for this user may carry (0 when nothing was cut off). */
  notBefore (sub: string): number {
    return this.#cutoffs.get(sub) ?? 0
  }

  /**
   * The cut-off that ends every token of this user issued so far. `iat` has whole seconds, and a token
   * issued just after an earlier cut-off in this second carries that cut-off as its `iat`: the new one
   * must lie past it too, or that token would survive.
   */
  nextCutoff (sub: string): number {
    return Math.max(cutoffNow(), this.notBefore(sub) + 1)
  }

  /** Drops entries that can no longer match a token any verifier would accept. */
  prune (nowSeconds: number, maxTokenTtlSeconds: number): void {
    for (const [id, until] of this.#tokens) if (until + CLOCK_LEEWAY_SECONDS < nowSeconds) this.#tokens.delete(id)
    for (const [id, until] of this.#sessions) if (until + CLOCK_LEEWAY_SECONDS < nowSeconds) this.#sessions.delete(id)
    // A cut-off matters while a token issued before it may still be unexpired.
    for (const [id, until] of this.#cutoffs) if (until + maxTokenTtlSeconds + CLOCK_LEEWAY_SECONDS < nowSeconds) this.#cutoffs.delete(id)
  }

  get size (): number {
    return this.#tokens.size + this.#sessions.size + this.#cutoffs.size
  }
}

/** The cut-off that ends every token issued up to now, including those issued earlier in this second. */
export function cutoffNow (): number {
  return Math.floor(Date.now() / 1000) + 1
}
