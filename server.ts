import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadEnvironment } from './src/config/environment.js'
import { logDestination } from './src/logging/log-destination.js'
import { bootstrapAdmin } from './src/accounts/bootstrap.js'

const reason = (error: unknown): string => error instanceof Error ? error.message : String(error)

/**
 * Every failure before listening ends here: one line on stderr that says what to fix, exit code 1, never
 * a stack trace and never a variable's value.
 */
function refuse (message: string): never {
  process.stderr.write(`tollgate: ${message}\n`)
  process.exit(1)
}

let loaded
try {
  loaded = loadEnvironment()
} catch (error) {
  // Only the first run outside production writes: a read-only working directory is the usual cause.
  refuse(`cannot start: could not read or write .env in ${process.cwd()}: ${reason(error)}`)
}
const { env, notices } = loaded

let app
try {
  const stream = logDestination(env)
  app = await buildApp({ env, ...(stream === undefined ? {} : { logger: { stream } }) })
  await app.ready()
} catch (error) {
  // A bad variable stops the process before it listens, with a message naming the variable.
  refuse(`cannot start: ${reason(error)}`)
}

for (const notice of notices) app.log.warn(notice)

if (app.config.NODE_ENV !== 'production') {
  let created
  try {
    created = await bootstrapAdmin(app.users, app.passwords, {
      username: app.config.TOLLGATE_ADMIN_USERNAME,
      password: app.config.TOLLGATE_ADMIN_PASSWORD
    })
  } catch (error) {
    refuse(`cannot create the first admin: ${reason(error)}`)
  }
  if (created !== undefined) {
    app.log.warn({ event: 'admin.created', username: created.username }, 'the user store was empty: created the first admin')
    // Printed once to the terminal, never through the logger, so it cannot end up in collected logs.
    if (created.generatedPassword !== undefined) {
      process.stdout.write(`\nFirst admin: ${created.username} / ${created.generatedPassword}  (shown once: keep it now)\n\n`)
    }
  }
}

try {
  await app.listen({ host: app.config.HOST, port: app.config.PORT })
} catch (error) {
  // Address in use, a HOST that does not resolve, a privileged PORT: the variables are what to change.
  refuse(`cannot listen on HOST ${app.config.HOST} and PORT ${app.config.PORT}: ${reason(error)}`)
}

if (app.metrics !== undefined) {
  try {
    app.log.info({ url: await app.metrics.listen() }, 'serving metrics for Prometheus')
  } catch (error) {
    refuse(`cannot listen on METRICS_HOST ${app.config.METRICS_HOST} and METRICS_PORT ${app.config.METRICS_PORT} (0 turns metrics off): ${reason(error)}`)
  }
}

/** Requests still open this long into a shutdown are cut, so it ends within a second whatever clients do. */
const SHUTDOWN_CUTOFF_MS = 500

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info({ signal }, 'shutting down')
  // Revocation feeds end first (routes/auth/revocations.ts); any other request still running by the cut-off
  // loses its connection, as its client would on a crash, and retries on another instance.
  const cutoff = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_CUTOFF_MS)
  cutoff.unref()
  await app.close()
  clearTimeout(cutoff)
})
