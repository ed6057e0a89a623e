import fp from 'fastify-plugin'
import type { Environment } from '../src/config/environment.js'
import { parseConfig } from '../src/config/parse-config.js'
import type { Config } from '../src/config/schema.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface ConfigPluginOptions {
  /** The variables to read; `.env` has already been merged in by the caller. */
  env: Environment
}

/** Validates the environment and refuses to start on anything invalid (src/config/parse-config.ts). */
export default fp<ConfigPluginOptions>(async function config (fastify, { env }) {
  fastify.decorate('config', parseConfig(env))
}, { name: 'config' })
