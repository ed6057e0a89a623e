import t from 'tap'
import { cli } from '../cli/run-cli.js'
import { testEnv } from '../helper.js'
import { spawnTollgate } from '../support/processes.js'

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} closes the server cleanly: exit code 0, the store closed, a log line saying why`, async (t) => {
    const cwd = t.testdir({})
    const env = { PORT: '0', JWT_SECRET: 'shutdown-test-secret-of-at-least-32-bytes', DATABASE_URL: `sqlite:${cwd}/tollgate.db` }
    const server = spawnTollgate(t, { cwd, env })
    const url = await server.listening()
    t.equal((await fetch(`${url}/health`)).status, 200)
    server.child.kill(signal)
    t.equal(await server.exited(), 0)
    t.match(server.output().stdout, new RegExp(`"signal":"${signal}","msg":"shutting down"`))
    t.equal(server.output().stderr, '')

    const again = spawnTollgate(t, { cwd, env })
    const url2 = await again.listening()
    t.equal((await fetch(`${url2}/health`)).status, 200, 'the store opens again after the shutdown')
  })
}

t.test('SIGTERM with a revocation-feed follower connected ends its stream and exits 0 within a second', async (t) => {
  const cwd = t.testdir({})
  const env = testEnv({ JWT_SECRET: 'shutdown-test-secret-of-at-least-32-bytes', DATABASE_URL: `sqlite:${cwd}/tollgate.db` })
  const added = await cli(['client', 'add', 'orders-api', '--permissions', 'revocations'], env)
  t.equal(added.code, 0, added.stderr)
  const server = spawnTollgate(t, { cwd, env: { JWT_SECRET: env.JWT_SECRET, DATABASE_URL: env.DATABASE_URL } })
  const url = await server.listening()

  const credentials = Buffer.from(`orders-api:${added.stdout.trim()}`).toString('base64')
  const follower = await fetch(`${url}/auth/revocations`, { headers: { accept: 'text/event-stream', authorization: `Basic ${credentials}` } })
  t.equal(follower.status, 200)
  const stream = follower.body!.getReader()
  t.match(new TextDecoder().decode((await stream.read()).value), /event: snapshot/, 'the follower has its snapshot')
  // A second, ordinary keep-alive connection stays open too, idle.
  t.equal((await fetch(`${url}/health`)).status, 200)

  const started = performance.now()
  server.child.kill('SIGTERM')
  const ended = (async () => {
    for (;;) if ((await stream.read()).done) return performance.now() - started
  })()
  t.equal(await server.exited(), 0, 'exit code 0')
  const elapsed = performance.now() - started
  t.ok(elapsed < 1000, `exited ${Math.round(elapsed)} ms after SIGTERM`)
  t.ok(await ended < 1000, 'the feed stream ended, so its follower reconnects elsewhere')
  t.notMatch(server.output().stdout + server.output().stderr, /killed by timeout/)
})
