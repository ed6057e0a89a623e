import type { AccessClaims } from './tokens.js'

/**
 * The in-memory view every authenticated request is checked against, in O(1) and without I/O:
 * revoked token ids (until the token would have expired anyway) and per-user cut-offs (every token
 * of that user issued before the cut-off is refused). Stores and other instances feed it.
 */
export class RevocationList {
  /** jti → exp (epoch seconds). */
  readonly #tokens = new Map<string, number>()
  /** sub → first `iat` (epoch seconds) still accepted. */
  readonly #cutoffs = new Map<string, number>()

  /** An arrow property, so it can be handed out as a callback without binding. */
  readonly isRevoked = (claims: AccessClaims): boolean => {
    if (this.#tokens.size !== 0 && this.#tokens.has(claims.jti)) return true
    if (this.#cutoffs.size === 0) return false
    const cutoff = this.#cutoffs.get(claims.sub)
    return cutoff !== undefined && claims.iat < cutoff
  }

  revokeToken (jti: string, exp: number): void {
    this.#tokens.set(jti, exp)
  }

  /** Keeps the later of the known and the given cut-off, so messages arriving out of order are harmless. */
  cutOff (sub: string, notBefore: number): void {
    const known = this.#cutoffs.get(sub)
    if (known === undefined || notBefore > known) this.#cutoffs.set(sub, notBefore)
  }

  /** The first `iat` a new token for this user may carry (0 when nothing was cut off). */
  notBefore (sub: string): number {
    return this.#cutoffs.get(sub) ?? 0
  }

  /**
   * Forgets revoked token ids whose tokens expired more than a minute ago: past that, every verifier's
   * clock tolerance refuses them anyway.
   */
  prune (nowSeconds: number = Date.now() / 1000): void {
    for (const [jti, exp] of this.#tokens) if (exp + 60 < nowSeconds) this.#tokens.delete(jti)
  }
}

/** The cut-off that ends every token issued up to now, including those issued earlier in this second. */
export function cutoffNow (): number {
  return Math.floor(Date.now() / 1000) + 1
}
