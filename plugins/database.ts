import fp from 'fastify-plugin'
import { createDatabase, migrateToLatest, type Db } from '../src/db/database.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

export interface DatabasePluginOptions {
  /** PostgreSQL schema to work in, instead of the connection's default. */
  schema?: string
}

/** Opens the configured store, migrates it to the latest schema and closes it with the app. */
export default fp<DatabasePluginOptions>(async function database (fastify, options) {
  const db = createDatabase({ url: fastify.config.DATABASE_URL, ...options })
  fastify.addHook('onClose', async () => { await db.destroy() })
  await migrateToLatest(db, options.schema)
  fastify.decorate('db', db)
}, { name: 'database', dependencies: ['config'] })
