import envSchema from 'env-schema'
import type { Environment } from './environment.js'
import type { Static } from '@sinclair/typebox'
import { ConfigSchema, type Config } from './schema.js'
import { checkConfig, checkProductionIssuer } from './validate.js'

/**
 * The configuration from the variables (`.env` already merged in by the caller): checked against the one
 * schema (types, ranges, defaults; env-schema is what @fastify/env runs inside) and then for what a schema
 * cannot express. The server and the CLI both start here; anything invalid throws, naming the variable.
 */
export function parseConfig (env: Environment): Config {
  const read = envSchema<Static<typeof ConfigSchema>>({ schema: ConfigSchema, data: env, env: false, dotenv: false })
  checkProductionIssuer(read)
  const publicUrl = withoutTrailingSlash(read.PUBLIC_URL ?? `http://${hostForUrl(read.HOST)}:${read.PORT}`)
  const config = { ...read, PUBLIC_URL: publicUrl, JWT_ISSUER: read.JWT_ISSUER ?? publicUrl }
  checkConfig(config)
  return config
}

/** An IPv6 address goes in brackets in a URL. */
const hostForUrl = (host: string): string => host.includes(':') && !host.startsWith('[') ? `[${host}]` : host

/** Endpoint URLs are PUBLIC_URL plus a path, and RFC 8414 §2 wants the issuer without a trailing slash. */
const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '')
