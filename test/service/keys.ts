import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import type { Environment } from '../../src/config/environment.js'

export const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

export interface KeyFiles {
  algorithm: AsymmetricAlgorithm
  privatePem: string
  publicPem: string
  /** Where the private key was written, for JWT_PRIVATE_KEY_FILE or JWT_RETIRED_KEY_FILES. */
  privateFile: string
  publicFile: string
  kid: string
}

/** A new key pair written as PEM files into `dir` (a `t.testdir()`), named `name`.key and `name`.pub. */
export function writeKeyPair (dir: string, algorithm: AsymmetricAlgorithm, name = 'signing'): KeyFiles {
  const pair = generateKeyPair(algorithm)
  const privateFile = join(dir, `${name}.key`)
  const publicFile = join(dir, `${name}.pub`)
  writeFileSync(privateFile, pair.privatePem, { mode: 0o600 })
  writeFileSync(publicFile, pair.publicPem)
  return { algorithm, ...pair, privateFile, publicFile }
}

/** The variables that make Tollgate sign with `key`, still verifying the tokens of `retired`. */
export function signingEnv (key: KeyFiles, retired: KeyFiles[] = [], overrides: Environment = {}): Environment {
  return {
    JWT_ALGORITHM: key.algorithm,
    JWT_PRIVATE_KEY_FILE: key.privateFile,
    ...(retired.length === 0 ? {} : { JWT_RETIRED_KEY_FILES: retired.map((file) => file.publicFile).join(',') }),
    ...overrides
  }
}

/** A SQLite file in `dir`, so that an app rebuilt on it sees what the one before it recorded. */
export const sqliteFile = (dir: string): string => `sqlite:${join(dir, 'tollgate.db')}`

/** The public JWK of a PEM key as Node exports it, without the members Tollgate adds. */
export const publicJwk = (pem: string): JsonWebKey => createPublicKey(pem).export({ format: 'jwk' })

/**
 * RFC 7638 thumbprint, written out here rather than taken from Tollgate so that the test checks the
 * `kid` against the RFC and not against itself.
 */
export function rfc7638 (jwk: JsonWebKey): string {
  const required: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] }
  const members = required[String(jwk.kty)]
  if (members === undefined) throw new Error(`no thumbprint members for kty ${String(jwk.kty)}`)
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])))
  return createHash('sha256').update(canonical).digest('base64url')
}
