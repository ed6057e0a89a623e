import { createHash, createHmac, createPrivateKey, createPublicKey, randomBytes, randomUUID, sign, verify } from 'node:crypto'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { table } from './table.js'

/** The cryptography a grant cannot do without, each timed in this process with node:crypto. */
export type Operation = 'HS256 sign' | 'ES256 sign' | 'ES256 verify' | 'SHA-256'

interface Part { operation: Operation, of: string }

/**
 * What a grant case costs at the least: the open route's CPU per request on the same server (the HTTP
 * round trip, the body, the security headers, the logger and the metrics every answer pays), plus the
 * signatures, verifications and hashes the grant must make. Database writes, JSON and the grant's own
 * logic are what a case's cost above its floor is made of.
 */
export interface Floor {
  /** The open route's case on the same server. */
  open: string
  parts: Part[]
  /**
   * The grant-shaped floor route's case on the same server (servers/floor-route.ts): the HTTP of a grant
   * and a secret's hash and a signature, measured under the same load instead of added up.
   */
  route?: { id: string, does: Part[] }
}

const signs = (algorithm: 'HS256' | 'ES256'): Part => ({ operation: `${algorithm} sign`, of: 'the access token' })
const verifies = (of: string): Part => ({ operation: 'ES256 verify', of })
const hashes = (of: string): Part => ({ operation: 'SHA-256', of })
const secret = hashes('the client secret')
const routeOf = (algorithm: 'HS256' | 'ES256') => ({ id: algorithm === 'HS256' ? 'floor-hs' : 'floor-es', does: [secret, signs(algorithm)] })
// Refresh tokens and codes are stored as their SHA-256 (sessions/refresh-tokens.ts): the one presented is
// hashed to be found, the one issued to be stored.
const rotation = [hashes('the refresh token presented'), hashes('the refresh token issued')]

/**
 * Every grant case's floor. exchange-es presents one subject token again and again, which Tollgate
 * verifies once and then finds in its cache; its floor counts the verification all the same, as a
 * gateway's tokens, new from each user, each need one.
 */
export const FLOORS: Readonly<Record<string, Floor>> = {
  'grant-hs-basic': { open: 'open', route: routeOf('HS256'), parts: [secret, signs('HS256')] },
  'grant-es-basic': { open: 'open-es', route: routeOf('ES256'), parts: [secret, signs('ES256')] },
  'grant-hs-jwt': { open: 'open', route: routeOf('HS256'), parts: [verifies('the client assertion'), signs('HS256')] },
  'grant-es-jwt': { open: 'open-es', route: routeOf('ES256'), parts: [verifies('the client assertion'), signs('ES256')] },
  'grant-redis-jwt': { open: 'open-redis', parts: [verifies('the client assertion'), signs('HS256')] },
  'grant-es-federated': { open: 'open-es', route: routeOf('ES256'), parts: [verifies('the workload token'), signs('ES256')] },
  'exchange-es': { open: 'open-es', route: routeOf('ES256'), parts: [secret, verifies('the subject token'), signs('ES256')] },
  'refresh-hs': { open: 'open', route: routeOf('HS256'), parts: [...rotation, signs('HS256')] },
  'refresh-es': { open: 'open-es', route: routeOf('ES256'), parts: [...rotation, signs('ES256')] },
  'code-es': { open: 'open-es', route: routeOf('ES256'), parts: [hashes('the PKCE verifier'), hashes('the code presented'), hashes('the refresh token issued'), signs('ES256')] }
}

/** The open route cases the floors of `ids` need. */
export const floorOpens = (ids: readonly string[]): string[] => ids.flatMap((id) => {
  const floor = FLOORS[id]
  return floor === undefined ? [] : [floor.open, ...(floor.route === undefined ? [] : [floor.route.id])]
})

/** An access token's signing input, of the size Tollgate's are: header and claims, base64url. */
function signingInput (): Buffer {
  const encode = (part: unknown): string => Buffer.from(JSON.stringify(part)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: 'https://tollgate.bench.example', sub: randomUUID(), aud: 'tollgate-api', iat: now, nbf: now, exp: now + 900, jti: randomUUID(), sid: randomUUID(), roles: ['admin'], scope: 'api:read' }
  return Buffer.from(`${encode({ alg: 'ES256', typ: 'JWT', kid: randomUUID() })}.${encode(claims)}`)
}

/** Microseconds of this process's CPU per call of `operation`, over about `durationMs` of CPU. */
function cpuMicrosPer (operation: () => unknown, durationMs: number): number {
  for (let i = 0; i < 50; i++) operation()
  const start = process.cpuUsage()
  let used = 0
  let calls = 0
  while (used < durationMs * 1000) {
    for (let i = 0; i < 50; i++) operation()
    calls += 50
    const { user, system } = process.cpuUsage(start)
    used = user + system
  }
  return used / calls
}

/**
 * What each operation costs in CPU here, measured as the servers' CPU is (process.cpuUsage), so a
 * machine shared with other work slows the two alike: on the same kind of keys and inputs as the grants'.
 */
export function operationCosts (durationMs: number): Record<Operation, number> {
  const input = signingInput()
  const hmacKey = randomBytes(32)
  const privateKey = createPrivateKey(generateKeyPair('ES256').privatePem)
  const publicKey = createPublicKey(privateKey)
  const ecdsa = { dsaEncoding: 'ieee-p1363' as const }
  const signature = sign('sha256', input, { key: privateKey, ...ecdsa })
  const random = randomBytes(32).toString('base64url')
  return {
    'HS256 sign': cpuMicrosPer(() => createHmac('sha256', hmacKey).update(input).digest('base64url'), durationMs),
    'ES256 sign': cpuMicrosPer(() => sign('sha256', input, { key: privateKey, ...ecdsa }), durationMs),
    'ES256 verify': cpuMicrosPer(() => verify('sha256', input, { key: publicKey, ...ecdsa }, signature), durationMs),
    // A secret, a verifier, a refresh token and a code are all 32 random bytes in base64url.
    'SHA-256': cpuMicrosPer(() => createHash('sha256').update(random).digest('base64url'), durationMs)
  }
}

/**
 * Two tables: each grant case's server CPU per grant beside its floor, and what each floor is made of.
 * `cpu` is a measured case's server µs per request, undefined for a case not measured in this run.
 */
export function floorTables (cases: ReadonlyArray<{ id: string, label: string }>, cpu: (id: string) => number | undefined, costs: Record<Operation, number>): string {
  const sum = (parts: Part[]): number => parts.reduce((total, part) => total + costs[part.operation], 0)
  const rows = cases.flatMap(({ id, label }) => {
    const floor = FLOORS[id]
    const measured = cpu(id)
    const open = floor === undefined ? undefined : cpu(floor.open)
    if (floor === undefined || measured === undefined || open === undefined) return []
    const total = open + sum(floor.parts)
    const madeOf = [`${floor.open} ${open.toFixed(1)}`, ...floor.parts.map((part) => `${part.operation} of ${part.of} ${costs[part.operation].toFixed(1)}`)].join(' + ')
    // The route hashes a secret and signs: what the grant must do besides that is added, what it need not, taken off.
    const route = floor.route === undefined ? undefined : cpu(floor.route.id)
    const routed = route === undefined || floor.route === undefined ? undefined : route + sum(floor.parts) - sum(floor.route.does)
    return [{ id, label, measured, total, madeOf, routed }]
  })
  const ratio = (a: number, b: number | undefined): string => b === undefined ? '–' : `${(a / b).toFixed(2)}×`
  return [
    table(['grant case', 'server µs/grant', 'floor µs', 'server / floor', 'measured floor µs', 'server / measured floor'], rows.map((row) =>
      [row.label, row.measured.toFixed(1), row.total.toFixed(1), ratio(row.measured, row.total), row.routed?.toFixed(1) ?? '–', ratio(row.measured, row.routed)])),
    table(['case', 'floor µs', 'made of (µs of CPU)'], rows.map((row) => [row.id, row.total.toFixed(1), row.madeOf]))
  ].join('\n\n')
}
