import { Writable } from 'node:stream'
import { stripVTControlCharacters } from 'node:util'
import t from 'tap'
import { buildApp } from '../../../app.js'
import { logDestination, type Output } from '../../../src/logging/log-destination.js'
import { testEnv } from '../../helper.js'

/** A stand-in for the standard output: a terminal or not, keeping what is written. */
function output (isTTY: boolean): Output & { text: () => string } {
  let written = ''
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      written += chunk.toString()
      callback()
    }
  })
  return Object.assign(stream, { isTTY, text: () => stripVTControlCharacters(written) })
}

t.test('on a terminal outside production, each event is one readable line, and redaction still applies', async (t) => {
  const terminal = output(true)
  const stream = logDestination({ NODE_ENV: 'development' }, terminal)
  t.ok(stream, 'a pretty destination')
  const app = await buildApp({ env: testEnv({ NODE_ENV: 'development' }), logger: { level: 'info', stream: stream! } })
  t.after(() => app.close())
  app.log.warn('No JWT_SECRET was set: generated a random 256-bit secret')
  app.log.info({ req: { headers: { authorization: 'Bearer eyJhbGciOi.secret.token' } }, password: 'hunter2hunter2' }, 'a request arrived')

  const lines = terminal.text().trimEnd().split('\n')
  t.equal(lines.length, 2, 'one line per event')
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: No JWT_SECRET was set/, 'time, level and message first')
  t.match(lines[1], /INFO: a request arrived .*\[redacted\]/)
  t.notMatch(terminal.text(), /hunter2|eyJhbGciOi/, 'no password or token')
  t.notMatch(lines[0], /^\{/, 'not JSON')
})

t.test('in production, or when the output is not a terminal, the logs stay JSON', async (t) => {
  t.equal(logDestination({ NODE_ENV: 'production' }, output(true)), undefined, 'production on a terminal')
  t.equal(logDestination({ NODE_ENV: 'development' }, output(false)), undefined, 'a pipe or a file')
  t.equal(logDestination({}, output(false)), undefined)
})
