import envSchema from 'env-schema'
import { ConfigError } from '@tollgate/auth/errors'
import type { Environment } from './environment.js'
import { KindGuard, type Static, type TSchema } from '@sinclair/typebox'
import { ConfigSchema, type Config } from './schema.js'
import { checkConfig, checkProductionIssuer } from './validate.js'

/**
 * The configuration from the variables (`.env` already merged in by the caller): checked against the one
 * schema (types, ranges, defaults; env-schema is what @fastify/env runs inside) and then for what a schema
 * cannot express. The server and the CLI both start here; anything invalid throws, naming the variable.
 */
export function parseConfig (env: Environment): Config {
  const read = readVariables(env)
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

function readVariables (env: Environment): Static<typeof ConfigSchema> {
  try {
    return envSchema<Static<typeof ConfigSchema>>({ schema: ConfigSchema, data: env, env: false, dotenv: false })
  } catch (error) {
    throw outsideChoices(error) ?? error
  }
}

/**
 * A value outside a variable's list of choices, said with the choices: ajv's own message repeats "must be
 * equal to constant" once for each of them and never names one.
 */
function outsideChoices (error: unknown): ConfigError | undefined {
  const variable = (error as { errors?: Array<{ instancePath: string }> }).errors?.[0]?.instancePath.slice(1) ?? ''
  const schema: TSchema | undefined = Object.hasOwn(ConfigSchema.properties, variable) ? ConfigSchema.properties[variable as keyof typeof ConfigSchema.properties] : undefined
  if (!KindGuard.IsUnion(schema) || !schema.anyOf.every((choice) => KindGuard.IsLiteralString(choice))) return undefined
  return new ConfigError(variable, `must be one of ${schema.anyOf.map((choice) => choice.const).join(', ')}`)
}
