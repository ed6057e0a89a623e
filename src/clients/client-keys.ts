import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { loadPublicKey } from '@tollgate/auth/tokens/keys'
import { TollgateError } from '@tollgate/auth/errors'

/** The key a client signs its `private_key_jwt` assertions with, and the one algorithm it may use. */
export interface ClientKey {
  algorithm: AsymmetricAlgorithm
  /** SPKI PEM: what the store keeps and fast-jwt takes. */
  pem: string
}

const invalid = (message: string): TollgateError => new TollgateError('ERR_INVALID_ARGUMENT', message)

/**
 * One algorithm per key type, so an assertion never picks how its own signature is checked: an RSA key
 * verifies RS256 only, a P-256 key ES256, an Ed25519 key EdDSA. HMAC is never among them (RFC 7523
 * §3: a public key proves the client without a shared secret), whatever the assertion's header says.
 */
function algorithmOf (key: KeyObject): AsymmetricAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec') return 'ES256'
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  throw invalid(`a key of type ${key.asymmetricKeyType ?? 'secret'} cannot sign client assertions: use RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA)`)
}

function fromJwk (text: string): KeyObject {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalid('the public key is neither PEM nor a JWK in JSON')
  }
  // A JWKS holding one key is accepted too: it is what most clients publish.
  const keys = (parsed as { keys?: unknown }).keys
  const jwk = (Array.isArray(keys) && keys.length === 1 ? keys[0] : parsed) as JsonWebKey & { alg?: unknown }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid('the JWK must be one JSON object')
  if ('d' in jwk || 'k' in jwk) throw invalid('the JWK holds private or symmetric key material: give Tollgate the public key only')
  const key = createPublicKey({ key: jwk, format: 'jwk' })
  if (jwk.alg !== undefined && jwk.alg !== algorithmOf(key)) throw invalid(`a key of this type signs ${algorithmOf(key)} here, not ${String(jwk.alg)}`)
  return key
}

/** Reads a client's public key, PEM or JWK (RFC 7517); refuses private keys and unusable ones. */
export function parseClientKey (text: string): ClientKey {
  const trimmed = text.trim()
  if (/PRIVATE KEY/.test(trimmed)) throw invalid('this is a private key: give Tollgate the client\'s public key only')
  let key: KeyObject
  try {
    key = trimmed.startsWith('{') ? fromJwk(trimmed) : createPublicKey(trimmed)
  } catch (error) {
    if (error instanceof TollgateError) throw error
    throw invalid(`the public key cannot be read: ${(error as Error).message}`)
  }
  const algorithm = algorithmOf(key)
  try {
    return { algorithm, pem: loadPublicKey(algorithm, key.export({ format: 'pem', type: 'spki' })).pem }
  } catch (error) {
    throw invalid(`the public key cannot be used: ${(error as Error).message}`)
  }
}
