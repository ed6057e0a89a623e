import t from 'tap'
import { DURATION_BUCKETS, RequestDurations } from '../../../src/metrics/request-durations.js'
import { parseSamples, sampleValue } from '../../support/prometheus.js'

t.test('durations are written as a Prometheus histogram: cumulative buckets, +Inf, sum and count', async (t) => {
  const durations = new RequestDurations('http_seconds', 'Time to answer')
  for (const seconds of [0.0002, 0.0007, 0.03, 7]) durations.observe('GET', '/users/:id', 200, seconds)
  durations.observe('GET', '/users/:id', 404, 0.0001)
  const text = durations.render()

  t.match(text, /^# HELP http_seconds Time to answer\n# TYPE http_seconds histogram\n/)
  const ok = { method: 'GET', route: '/users/:id', status_code: '200' }
  const bucket = (le: string) => sampleValue(text, 'http_seconds_bucket', { ...ok, le })
  t.equal(bucket('0.0005'), 1)
  t.equal(bucket('0.001'), 2)
  t.equal(bucket('0.025'), 2)
  t.equal(bucket('0.05'), 3)
  t.equal(bucket('5'), 3, 'seven seconds is above every bound')
  t.equal(bucket('+Inf'), 4)
  t.equal(sampleValue(text, 'http_seconds_count', ok), 4)
  t.ok(Math.abs(sampleValue(text, 'http_seconds_sum', ok) - 7.0309) < 1e-9)
  t.equal(sampleValue(text, 'http_seconds_count', { ...ok, status_code: '404' }), 1, 'each status is a series of its own')
  t.equal(parseSamples(text).filter((sample) => sample.name === 'http_seconds_bucket' && sample.labels.status_code === '200').length, DURATION_BUCKETS.length + 1)
})

t.test('a request no route matched is labelled "unmatched", and label values are escaped', async (t) => {
  const durations = new RequestDurations('http_seconds', 'Time to answer')
  durations.observe('GET', undefined, 404, 0.001)
  durations.observe('GET', '/odd/"quoted"\\path\n', 200, 0.001)
  const text = durations.render()
  t.equal(sampleValue(text, 'http_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1)
  t.match(text, 'route="/odd/\\"quoted\\"\\\\path\\n"')
  t.equal(sampleValue(text, 'http_seconds_count', { method: 'GET', route: '/odd/"quoted"\\path\n', status_code: '200' }), 1)
})
