import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'

import { ConfigError, TollgateError } from '../errors.js'
import type { AsymmetricAlgorithm } from './claims.js'

/** A public key as published in the JWKS (RFC 7517), always with its `kid`, `alg` and `use`. */
export interface PublicJwk extends JsonWebKey {
  kty: string
  kid: string
  alg: AsymmetricAlgorithm
  use: 'sig'
}

export interface PublicKey {
  kid: string
  algorithm: AsymmetricAlgorithm
  /** SPKI PEM, the form fast-jwt takes. */
  pem: string
  jwk: PublicJwk
}

export interface SigningKey extends PublicKey {
  privatePem: string
}

/** Which key type and size each algorithm needs; anything else is refused at start. */
function checkKeyFits (key: KeyObject, algorithm: AsymmetricAlgorithm): void {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails
  if (algorithm === 'RS256' && type === 'rsa' && (details?.modulusLength ?? 0) >= 2048) return
  if (algorithm === 'ES256' && type === 'ec' && details?.namedCurve === 'prime256v1') return
  if (algorithm === 'EdDSA' && type === 'ed25519') return
  const wanted = { RS256: 'an RSA key of at least 2048 bits', ES256: 'an EC key on P-256', EdDSA: 'an Ed25519 key' }[algorithm]
  throw new TollgateError('ERR_KEY', `${algorithm} needs ${wanted}, not ${type ?? 'this key'}`)
}

/** The members RFC 7638 §3.2 hashes for each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x']
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url): a `kid` that anyone can recompute from the key itself. */
export function thumbprint (jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? '']
  if (members === undefined) throw new TollgateError('ERR_KEY', `cannot compute a thumbprint for key type ${jwk.kty ?? '(none)'}`)
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`
  return createHash('sha256').update(canonical).digest('base64url')
}

function describePublicKey (key: KeyObject, algorithm: AsymmetricAlgorithm): PublicKey {
  checkKeyFits(key, algorithm)
  const exported = key.export({ format: 'jwk' })
  const kid = thumbprint(exported)
  return {
    kid,
    algorithm,
    pem: key.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { ...exported, kty: exported.kty ?? '', kid, alg: algorithm, use: 'sig' }
  }
}

/** Reads a PEM private key (PKCS#8, or PKCS#1/SEC1) and checks it fits the algorithm. */
export function loadSigningKey (algorithm: AsymmetricAlgorithm, pem: string | Buffer): SigningKey {
  const privateKey = createPrivateKey(pem)
  return {
    ...describePublicKey(createPublicKey(privateKey), algorithm),
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  }
}

/** A public key from a JWKS entry (its private members, if any, are ignored). */
export function publicKeyFromJwk (algorithm: AsymmetricAlgorithm, jwk: JsonWebKey): PublicKey {
  const { d, p, q, dp, dq, qi, ...publicPart } = jwk
  return describePublicKey(createPublicKey({ key: publicPart, format: 'jwk' }), algorithm)
}

/** Reads a PEM public key, or the public half of a PEM private key (a retired key may be kept either way). */
export function loadPublicKey (algorithm: AsymmetricAlgorithm, pem: string | Buffer): PublicKey {
  return describePublicKey(createPublicKey(pem), algorithm)
}

/** Reads a key file named by a variable; any failure names the variable and the file, never the key. */
export function readKeyFile<T> (variable: string, file: string, load: (pem: string) => T): T {
  try {
    return load(readFileSync(file, 'utf8'))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not a usable key: ${(error as Error).message}`
    throw new ConfigError(variable, `names ${file}, which ${reason}`)
  }
}

/** The files of a comma-separated list such as JWT_RETIRED_KEY_FILES, spaces and empty entries left out. */
export const keyFileList = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((file) => file.trim()).filter((file) => file !== '')

/** A new key pair for the algorithm, as PEM (PKCS#8 private, SPKI public). */
export function generateKeyPair (algorithm: AsymmetricAlgorithm): { privatePem: string, publicPem: string, kid: string } {
  const pair = algorithm === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519')
  return {
    privatePem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    kid: thumbprint(pair.publicKey.export({ format: 'jwk' }))
  }
}
