import t from 'tap'
import { acceptsEventStream } from '../../../src/http/accepts-event-stream.js'

t.test('an Accept header admits the event stream unless its most specific matching range weighs zero', async (t) => {
  for (const accept of [undefined, '', 'text/event-stream', '*/*', 'text/*', 'application/json, */*;q=0.1', 'Text/Event-Stream; charset=utf-8', 'text/event-stream;q=0.5, */*;q=0']) {
    t.ok(acceptsEventStream(accept), String(accept))
  }
  for (const accept of ['application/json', 'text/html', 'text/event-stream;q=0, */*', 'text/*;q=0', '*/*;q=0', 'text/event-stream;q=abc']) {
    t.notOk(acceptsEventStream(accept), accept)
  }
})
