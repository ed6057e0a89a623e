import t from 'tap'
import { startMetricsServer } from '../../../src/http/metrics-server.js'

const options = { host: '127.0.0.1', port: 0, contentType: 'text/plain; version=0.0.4; charset=utf-8' }
const silent = { error () {} }

t.test('a scrape that cannot be collected answers 500 without detail, and the cause goes to the operator', async (t) => {
  const logged: Array<{ details: object, message: string }> = []
  const server = await startMetricsServer({
    ...options,
    render: async () => { throw new Error('the store said: password=hunter2') },
    log: { error: (details, message) => { logged.push({ details, message }) } }
  })
  t.after(() => server.close())
  const response = await fetch(server.url)
  t.equal(response.status, 500)
  t.notMatch(await response.text(), /hunter2/)
  t.match(logged, [{ details: { err: { message: /hunter2/ } }, message: 'could not collect the metrics for a scrape' }])
})

t.test('an address in use is an error for the caller, not a crash', async (t) => {
  const first = await startMetricsServer({ ...options, render: async () => '', log: silent })
  t.after(() => first.close())
  const port = Number(new URL(first.url).port)
  await t.rejects(startMetricsServer({ ...options, port, render: async () => '', log: silent }), { code: 'EADDRINUSE' })
})

t.test('closing twice is harmless', async (t) => {
  const server = await startMetricsServer({ ...options, render: async () => 'x 1\n', log: silent })
  t.equal(await (await fetch(server.url)).text(), 'x 1\n')
  await server.close()
  await server.close()
  await t.rejects(fetch(server.url))
})
