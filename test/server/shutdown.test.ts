import t from 'tap'
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
