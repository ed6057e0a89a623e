import envSchema from 'env-schema'
import type { Environment } from './environment.js'
import { ConfigSchema, type Config } from './schema.js'
import { checkConfig } from './validate.js'

/**
 * The configuration from the variables (`.env` already merged in by the caller): checked against the one
 * schema (types, ranges, defaults; env-schema is what @fastify/env runs inside) and then for what a schema
 * cannot express. The server and the CLI both start here; anything invalid throws, naming the variable.
 */
export function parseConfig (env: Environment): Config {
  const config = envSchema<Config>({ schema: ConfigSchema, data: env, env: false, dotenv: false })
  checkConfig(config)
  return config
}
