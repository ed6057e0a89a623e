import { floorOpens } from './floors.js'

/** The servers the bench starts; every case names the one it loads. */
export type ServerKey = 'hs' | 'hsMetricsOff' | 'es' | 'esInfo' | 'sharedA' | 'fastify' | 'express' | 'oidc' | 'oidcOpaque'

/**
 * How a client authenticates for the client credentials grant: with its secret, its own signed assertion,
 * or a workload's token from a trusted issuer (workload identity federation).
 */
export type GrantMethod = 'client_secret_basic' | 'private_key_jwt' | 'workload_token'

export interface CaseDefinition {
  id: string
  label: string
  server: ServerKey
  path: string
  /** Whose access token the requests carry, if any. */
  token?: ServerKey
  /** The case its ratio is taken to. */
  baseline?: string
  /** Measured whenever this case is: the same case at another setting, which a table of its own compares it with. */
  beside?: string
  /** Another stack than Tollgate. */
  peer?: true
  /** A client credentials grant case: clients authenticate this way, instead of GETting `path`. */
  grant?: GrantMethod
  /** An introspection case: the client asks about its own token (RFC 7662), instead of GETting `path`. */
  introspect?: true
  /** A token exchange case: the client trades a user's token for one to another service (RFC 8693). */
  exchange?: true
  /** A refresh token grant case: each request spends one of the user's refresh tokens for a new pair. */
  refresh?: true
  /** An authorization code case: a public client redeems one code with its PKCE verifier a request. */
  code?: true
  /** The grant-shaped floor route (servers/floor-route.ts), sent what a client_secret_basic grant sends. */
  floorRoute?: true
}

export const CASES: readonly CaseDefinition[] = [
  { id: 'open', label: 'Tollgate, open route (baseline)', server: 'hs', path: '/bench/open' },
  // The open route of the other servers grant cases run on: the first part of those cases' floors (floors.ts).
  { id: 'open-es', label: 'Tollgate ES256, open route', server: 'es', path: '/bench/open', baseline: 'open' },
  // A client credentials grant reduced to its HTTP and its cryptography, on the same servers: a measured floor.
  { id: 'floor-hs', label: 'Tollgate HS256, grant-shaped floor route', server: 'hs', path: '', floorRoute: true, baseline: 'open' },
  { id: 'floor-es', label: 'Tollgate ES256, grant-shaped floor route', server: 'es', path: '', floorRoute: true, baseline: 'open-es' },
  { id: 'open-redis', label: 'Tollgate + Redis, open route', server: 'sharedA', path: '/bench/open', baseline: 'open' },
  // The open route sent the very same request bytes as the protected one: what is left is the guard.
  { id: 'open-token', label: 'Tollgate, open route, request carrying the token', server: 'hs', path: '/bench/open', token: 'hs', baseline: 'open' },
  { id: 'hs256', label: 'Tollgate, protected, HS256', server: 'hs', path: '/bench/protected', token: 'hs', baseline: 'open' },
  // The same route on a server with METRICS_PORT=0: what is left is the cost of counting.
  { id: 'metrics-off', label: 'Tollgate, protected, HS256, metrics off', server: 'hsMetricsOff', path: '/bench/protected', token: 'hsMetricsOff', baseline: 'open' },
  { id: 'role', label: 'Tollgate, protected + role check', server: 'hs', path: '/bench/admin', token: 'hs', baseline: 'open' },
  { id: 'es256', label: 'Tollgate, protected, ES256', server: 'es', path: '/bench/protected', token: 'es', baseline: 'open' },
  // As deployed: LOG_LEVEL=info, the default, every log line read from a pipe as a log collector reads it.
  { id: 'es256-info', label: 'Tollgate, protected, ES256, LOG_LEVEL=info', server: 'esInfo', path: '/bench/protected', token: 'esInfo', baseline: 'es256', beside: 'es256' },
  { id: 'revocation', label: 'Tollgate, protected, revocation on (Redis, 2 instances)', server: 'sharedA', path: '/bench/protected', token: 'sharedA', baseline: 'hs256' },
  { id: 'fastify-jwt', label: 'Fastify + @fastify/jwt, protected', server: 'fastify', path: '/bench/protected', token: 'hs', baseline: 'rs-none', peer: true },
  { id: 'express-open', label: 'Express + passport-jwt, open route', server: 'express', path: '/bench/open', baseline: 'open', peer: true },
  { id: 'express', label: 'Express + passport-jwt, protected', server: 'express', path: '/bench/protected', token: 'hs', baseline: 'express-open', peer: true },
  // The client credentials grant, each way a client authenticates, against oidc-provider signing ES256 too.
  ...(['client_secret_basic', 'private_key_jwt'] as const).flatMap((grant): CaseDefinition[] => {
    const short = grant === 'client_secret_basic' ? 'basic' : 'jwt'
    return [
      { id: `grant-oidc-${short}`, label: `oidc-provider ES256, grant, ${grant}`, server: 'oidc', path: '', grant, peer: true },
      { id: `grant-hs-${short}`, label: `Tollgate HS256, grant, ${grant}`, server: 'hs', path: '', grant, baseline: `grant-oidc-${short}` },
      { id: `grant-es-${short}`, label: `Tollgate ES256, grant, ${grant}`, server: 'es', path: '', grant, baseline: `grant-oidc-${short}` }
    ]
  }),
  // Introspection: oidc-provider introspects only opaque tokens, Tollgate its JWTs (no database read).
  { id: 'introspect-oidc', label: 'oidc-provider, introspection of an opaque token', server: 'oidcOpaque', path: '', introspect: true, peer: true },
  { id: 'introspect-hs', label: 'Tollgate HS256, introspection', server: 'hs', path: '', introspect: true, baseline: 'introspect-oidc' },
  // Token exchange: the same client and algorithm as grant-es-basic, verifying a token besides signing one.
  { id: 'exchange-es', label: 'Tollgate ES256, token exchange, client_secret_basic', server: 'es', path: '', exchange: true, baseline: 'grant-es-basic' },
  // A fleet's set-up: the assertion's jti goes to Redis (SET NX) instead of a SQLite write.
  { id: 'grant-redis-jwt', label: 'Tollgate HS256 + Redis, grant, private_key_jwt', server: 'sharedA', path: '', grant: 'private_key_jwt', baseline: 'grant-oidc-jwt' },
  // Workload identity federation: pods present their Kubernetes service-account token, again and again until
  // it is replaced. oidc-provider has no such thing: its nearest is a client's own ES256 assertion.
  { id: 'grant-es-federated', label: 'Tollgate ES256, grant, Kubernetes workload token', server: 'es', path: '', grant: 'workload_token', baseline: 'grant-oidc-jwt' },
  // A user's session: a refresh (rotation), and the sign-in page's code redeemed by a public client with PKCE.
  { id: 'refresh-hs', label: 'Tollgate HS256, refresh token grant (rotation)', server: 'hs', path: '', refresh: true, baseline: 'grant-hs-basic' },
  { id: 'refresh-es', label: 'Tollgate ES256, refresh token grant (rotation)', server: 'es', path: '', refresh: true, baseline: 'grant-es-basic' },
  { id: 'code-es', label: 'Tollgate ES256, authorization code + PKCE, public client', server: 'es', path: '', code: true, baseline: 'grant-es-basic' },
  { id: 'grant-es-basic-info', label: 'Tollgate ES256, grant, client_secret_basic, LOG_LEVEL=info', server: 'esInfo', path: '', grant: 'client_secret_basic', baseline: 'grant-es-basic', beside: 'grant-es-basic' }
]

/** The service behind Tollgate under each guard (relying-cases.ts), started only for a run. */
export const RELYING_CASE_IDS = [
  'rs-none', 'rs-tollgate', 'rs-fastify-jwt', 'rs-fastify-jwt-cache', 'rs-jose', 'rs-expired', 'rs-bad-signature',
  'rs-malformed', 'rs-none-distinct', 'rs-distinct'
]

export const CASE_IDS = [...CASES.map((c) => c.id), ...RELYING_CASE_IDS]

/**
 * The cases `--cases` names, with those their tables compare them with: the same case at another
 * setting (`beside`), and the open route a grant case's floor starts from. All of them without `--cases`.
 */
export function casesToMeasure (named: readonly string[] | undefined): Set<string> {
  if (named === undefined) return new Set(CASES.map((c) => c.id))
  const withBeside = [...named, ...CASES.flatMap((c) => named.includes(c.id) && c.beside !== undefined ? [c.beside] : [])]
  return new Set([...withBeside, ...floorOpens(withBeside)])
}

/** What Tollgate aims for: the first case's rate over the second's, at least `wanted`. */
export const TARGETS: ReadonlyArray<readonly [name: string, a: string, b: string, wanted: number]> = [
  ['protected HS256 / open route', 'hs256', 'open', 0.92],
  ['protected HS256 / Fastify + @fastify/jwt protected', 'hs256', 'fastify-jwt', 2],
  ['revocation on / revocation off', 'revocation', 'hs256', 0.95],
  ['metrics on / metrics off (protected HS256)', 'hs256', 'metrics-off', 0.97],
  ['grants, client_secret_basic: Tollgate ES256 / oidc-provider ES256', 'grant-es-basic', 'grant-oidc-basic', 2],
  ['grants, private_key_jwt: Tollgate ES256 / oidc-provider ES256', 'grant-es-jwt', 'grant-oidc-jwt', 2],
  ['grants, federated: Tollgate ES256 / oidc-provider private_key_jwt', 'grant-es-federated', 'grant-oidc-jwt', 2],
  ['introspections: Tollgate / oidc-provider (opaque)', 'introspect-hs', 'introspect-oidc', 2],
  ['token exchanges / client credentials grants (Tollgate ES256, client_secret_basic)', 'exchange-es', 'grant-es-basic', 0.8]
]
