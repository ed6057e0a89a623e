import fastifyEnv from '@fastify/env'
import fp from 'fastify-plugin'
import { ConfigSchema, type Config } from '../src/config/schema.js'
import { checkConfig } from '../src/config/validate.js'
import type { Environment } from '../src/config/environment.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface ConfigPluginOptions {
  /** The variables to read; `.env` has already been merged in by the caller. */
  env: Environment
}

/** Validates the environment against the one schema and refuses to start on anything invalid. */
export default fp<ConfigPluginOptions>(async function config (fastify, { env }) {
  await fastify.register(fastifyEnv, { schema: ConfigSchema, data: env, env: false, dotenv: false })
  checkConfig(fastify.config)
}, { name: 'config' })
