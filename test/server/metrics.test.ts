import t from 'tap'
import { freePort } from '../support/free-port.js'
import { spawnTollgate } from '../support/processes.js'
import { sampleValue, scrape } from '../support/prometheus.js'

t.test('the server serves metrics on METRICS_PORT once it listens, and a port in use stops it naming METRICS_PORT', async (t) => {
  const cwd = t.testdir({})
  const metricsPort = String(await freePort())
  const env = { PORT: '0', METRICS_PORT: metricsPort, JWT_SECRET: 'metrics-test-secret-of-at-least-32-bytes', DATABASE_URL: `sqlite:${cwd}/tollgate.db` }
  const server = spawnTollgate(t, { cwd, env })
  const api = await server.listening()
  t.equal((await fetch(`${api}/health`)).status, 200)

  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
  // The listener starts right after the API's: wait for the line that says so.
  for (let i = 0; i < 100 && !server.output().stdout.includes('serving metrics for Prometheus'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(server.output().stdout, `"url":"${metricsUrl}"`, 'the log says where the metrics are')
  t.equal(sampleValue(await scrape(metricsUrl), 'tollgate_http_request_duration_seconds_count', { method: 'GET', route: '/health', status_code: '200' }), 1)
  t.equal((await fetch(`${api}/metrics`)).status, 404, 'not on the API port')

  const second = spawnTollgate(t, { cwd: t.testdir({}), env: { ...env, DATABASE_URL: `sqlite:${cwd}/second.db` } })
  t.not(await second.exited(), 0)
  t.match(second.output().stderr, new RegExp(`METRICS_PORT ${metricsPort}.*EADDRINUSE`))
  t.notMatch(second.output().stderr, /\n\s+at /, 'no stack trace')
})
