import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import type { ServerKey } from './cases.js'
import type { BenchClients } from './grants.js'
import { profileArgs, startServer, type BenchServer } from './processes.js'
import { relyingCases } from './relying-cases.js'
import { clusterKey } from './workload-tokens.js'

/**
 * Every server of a run, each in its own process on loopback, with the keys, secrets and databases they
 * share made in a temporary folder that goes when the runner exits. With `profileDir`, every Tollgate
 * server writes its CPU profile there when it stops.
 */
export async function startBenchServers ({ profileDir }: { profileDir?: string | undefined }) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const keyFile = join(dir, 'es256.pem')
  writeFileSync(keyFile, generateKeyPair('ES256').privatePem, { mode: 0o600 })

  const secret = randomBytes(32).toString('base64url')
  // The grant benchmark's clients, registered alike on Tollgate and on oidc-provider (but the workload's).
  const clientKey = generateKeyPair('ES256')
  const clientKeyFile = join(dir, 'client.pub')
  writeFileSync(clientKeyFile, clientKey.publicPem)
  const jwksFile = join(dir, 'cluster-jwks.json')
  const clients: BenchClients = { secret: randomBytes(32).toString('base64url'), privatePem: clientKey.privatePem, cluster: clusterKey(jwksFile) }
  const grantEnv = { BENCH_CLIENT_SECRET: clients.secret, BENCH_CLIENT_KEY_FILE: clientKeyFile }
  // Production needs PUBLIC_URL, which gives the issuer; every peer is told the same one.
  const issuer = 'https://tollgate.bench.example'
  const base = { NODE_ENV: 'production', JWT_SECRET: secret, PUBLIC_URL: issuer, LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT: '100000000', INTROSPECTION_RATE_LIMIT: '100000000', ...grantEnv }
  const redis = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `bench:${process.pid}:`, DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` }
  const es256 = { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: keyFile }
  const database = (name: string) => ({ DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}` })
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true })
  const tollgate = (name: string, env: Record<string, string>) => startServer(name, 'tollgate', { ...base, ...env }, profileDir === undefined ? [] : profileArgs(profileDir, name))

  console.log('starting servers…')
  const hs = await tollgate('Tollgate HS256', database('hs'))
  const hsMetricsOff = await tollgate('Tollgate HS256, metrics off', { ...database('hs-off'), METRICS_PORT: '0' })
  // It alone trusts the cluster: with a trusted issuer, every assertion is looked at to tell a workload's token.
  const es = await tollgate('Tollgate ES256', { ...database('es'), ...es256, BENCH_WORKLOAD_JWKS_FILE: jwksFile })
  // As deployed: the default level, logging every request to a pipe the runner reads to the end.
  const esInfo = await tollgate('Tollgate ES256, LOG_LEVEL=info', { ...database('es-info'), ...es256, LOG_LEVEL: 'info' })
  const sharedA = await tollgate('Tollgate + Redis, instance A', redis)
  const sharedB = await tollgate('Tollgate + Redis, instance B', redis)
  const fastifyPeer = await startServer('Fastify + @fastify/jwt', 'relying-service', { GUARD: 'fastify-jwt', JWT_SECRET: secret, ISSUER: issuer })
  const expressPeer = await startServer('Express + passport-jwt', 'express-passport', { JWT_SECRET: secret, ISSUER: issuer })
  const relying = await relyingCases({ tollgate: es, keyFile, secret })
  const oidcPeer = await startServer('oidc-provider', 'oidc-provider', { JWT_PRIVATE_KEY_FILE: keyFile, ...grantEnv })
  const oidcOpaque = await startServer('oidc-provider, opaque tokens', 'oidc-provider', { JWT_PRIVATE_KEY_FILE: keyFile, BENCH_TOKEN_FORMAT: 'opaque', ...grantEnv })
  const byKey: Record<ServerKey, BenchServer> = { hs, hsMetricsOff, es, esInfo, sharedA, fastify: fastifyPeer, express: expressPeer, oidc: oidcPeer, oidcOpaque }

  // Revocation "on" means a live revocation list: log out a few sessions on B, which A hears of through Redis.
  for (let i = 0; i < 20; i++) {
    const login = await fetch(`${sharedB.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: sharedB.info.username, password: sharedB.info.password }) })
    const { access_token: token } = await login.json() as { access_token: string }
    await fetch(`${sharedB.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  }
  return { byKey, all: [...Object.values(byKey), sharedB, ...relying.servers], relying, clients }
}
