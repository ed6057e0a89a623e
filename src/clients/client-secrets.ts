import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Client secrets. Tollgate generates every one from 256 random bits: nobody can guess it, so a slow hash
 * (argon2, bcrypt) adds nothing and costs every grant milliseconds of a shared thread pool. A SHA-256 of
 * the secret is enough to keep it from being read back out of a copy of the store. Plain SHA-256 rather
 * than an HMAC under a server key: the key would have to exist with every signing algorithm (an ES256
 * deployment has no JWT_SECRET) and would protect only secrets weak enough to guess, which these are not.
 */
const SHA256_PREFIX = 'sha256:'

/** A client secret: 256 random bits, shown once and stored only as a hash. */
export const newClientSecret = (): string => randomBytes(32).toString('base64url')

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest()

/** What the store keeps for `secret`. */
export const hashClientSecret = (secret: string): string => SHA256_PREFIX + digest(secret).toString('base64url')

/** A stored secret as the grant checks it: a SHA-256 digest, or an argon2 hash from before. */
export type StoredSecret = { kind: 'sha256', digest: Buffer } | { kind: 'argon2', hash: string }

export function parseStoredSecret (stored: string | undefined): StoredSecret | undefined {
  if (stored === undefined) return undefined
  if (stored.startsWith(SHA256_PREFIX)) {
    const bytes = Buffer.from(stored.slice(SHA256_PREFIX.length), 'base64url')
    return bytes.length === 32 ? { kind: 'sha256', digest: bytes } : undefined
  }
  return stored.startsWith('$argon2') ? { kind: 'argon2', hash: stored } : undefined
}

// Compared against when there is no digest to compare with (an unknown client, a client with a key), so
// every refusal costs one hash and one comparison, the same as a wrong secret.
const NOBODY = digest(newClientSecret())

/** Whether `presented` is the secret behind `stored`, in time that does not depend on where they differ. */
export function secretMatches (stored: Buffer | undefined, presented: string): boolean {
  const equal = timingSafeEqual(stored ?? NOBODY, digest(presented))
  return equal && stored !== undefined
}
