import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema.js'
import type { AuthorizationRequest } from '../oauth/authorization-request.js'

/** Long enough to type a password and find it in a manager; the code itself then lives 60 s. */
const SEALED_FOR_MS = 10 * 60_000

/**
 * The key a sign-in page's request is sealed with, derived (HKDF, RFC 5869) from the signing key material
 * every instance shares, so a page served by one instance can be posted to another. A rotated key ends
 * the pages open at that moment: their people sign in again. Without key material (never in a running
 * server: the configuration requires it) a random key serves this process alone.
 */
export function sealKey (config: Pick<Config, 'JWT_SECRET' | 'JWT_PRIVATE_KEY_FILE'>): Buffer {
  const material = config.JWT_SECRET ?? (config.JWT_PRIVATE_KEY_FILE === undefined ? randomBytes(32) : readFileSync(config.JWT_PRIVATE_KEY_FILE))
  return Buffer.from(hkdfSync('sha256', material, '', 'tollgate sign-in request', 32))
}

/**
 * The checked authorization request, carried by the sign-in form as `payload.mac` (HMAC-SHA256): what the
 * person posts back is what was checked, and a forged or altered one, or one past its time, is refused.
 */
export function createRequestSeal (key: Buffer, now: () => number = Date.now) {
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest()

  function seal (request: AuthorizationRequest): string {
    const payload = Buffer.from(JSON.stringify({ ...request, exp: now() + SEALED_FOR_MS })).toString('base64url')
    return `${payload}.${mac(payload).toString('base64url')}`
  }

  function open (sealed: string): AuthorizationRequest | undefined {
    const [payload = '', tag = '', ...rest] = sealed.split('.')
    const given = Buffer.from(tag, 'base64url')
    const expected = mac(payload)
    if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    const { exp, ...request } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AuthorizationRequest & { exp: number }
    return exp > now() ? request : undefined
  }

  return { seal, open }
}

export type RequestSeal = ReturnType<typeof createRequestSeal>
