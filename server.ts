import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadEnvironment } from './src/config/environment.js'
import { bootstrapAdmin } from './src/users/bootstrap.js'

const { env, notices } = loadEnvironment()

let app
try {
  app = await buildApp({ env })
  await app.ready()
} catch (error) {
  // A bad variable stops the process before it listens, with a message naming the variable.
  process.stderr.write(`tollgate: cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}

for (const notice of notices) app.log.warn(notice)

if (app.config.NODE_ENV !== 'production') {
  const created = await bootstrapAdmin(app.users, app.passwords, {
    username: app.config.TOLLGATE_ADMIN_USERNAME,
    password: app.config.TOLLGATE_ADMIN_PASSWORD
  })
  if (created !== undefined) {
    app.log.warn({ event: 'admin.created', username: created.username }, 'the user store was empty: created the first admin')
    // Printed once to the terminal, never through the logger, so it cannot end up in collected logs.
    if (created.generatedPassword !== undefined) {
      process.stdout.write(`\nFirst admin: ${created.username} / ${created.generatedPassword}  (shown once; change it with \`tollgate user\`)\n\n`)
    }
  }
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

await app.listen({ host: app.config.HOST, port: app.config.PORT })
