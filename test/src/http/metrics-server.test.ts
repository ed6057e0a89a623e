import t from 'tap'
import { startMetricsServer } from '../../../src/http/metrics-server.js'

const options = { host: '127.0.0.1', port: 0, contentType: 'text/plain; version=0.0.4; charset=utf-8' }

t.test('a scrape that cannot be collected answers 500 without detail, and the cause goes to the operator', async (t) => {
  const errors: unknown[] = []
  const server = await startMetricsServer({
    ...options,
    render: async () => { throw new Error('the store said: password=hunter2') },
    onError: (error) => { errors.push(error) }
  })
  t.after(() => server.close())
  const response = await fetch(server.url)
  t.equal(response.status, 500)
  t.notMatch(await response.text(), /hunter2/)
  t.match(errors, [{ message: /hunter2/ }])
})

t.test('an address in use is an error for the caller, not a crash', async (t) => {
  const first = await startMetricsServer({ ...options, render: async () => '', onError: () => {} })
  t.after(() => first.close())
  const port = Number(new URL(first.url).port)
  await t.rejects(startMetricsServer({ ...options, port, render: async () => '', onError: () => {} }), { code: 'EADDRINUSE' })
})

t.test('closing twice is harmless', async (t) => {
  const server = await startMetricsServer({ ...options, render: async () => 'x 1\n', onError: () => {} })
  t.equal(await (await fetch(server.url)).text(), 'x 1\n')
  await server.close()
  await server.close()
  await t.rejects(fetch(server.url))
})
