import t from 'tap'
import { fastifyTrustProxy, parseTrustProxy } from '../../../src/config/trust-proxy.js'
import { parseConfig } from '../../../src/config/parse-config.js'
import { TEST_SECRET } from '../../helper.js'

t.test('TRUST_PROXY takes what Fastify\'s trustProxy does: true or false, a hop count, addresses and CIDR ranges', async (t) => {
  t.equal(parseTrustProxy(undefined), false, 'unset: the socket\'s peer is the client')
  t.equal(parseTrustProxy(''), false)
  t.equal(parseTrustProxy('false'), false)
  t.equal(parseTrustProxy('true'), true)
  t.equal(parseTrustProxy('2'), 2)
  t.same(parseTrustProxy('10.0.0.1'), ['10.0.0.1'])
  t.same(parseTrustProxy(' 10.0.0.0/8, fd00::/8 ,::1,loopback'), ['10.0.0.0/8', 'fd00::/8', '::1', 'loopback'])
  for (const bad of ['0', '17', 'yes', '10.0.0.0/33', 'fd00::/129', '10.0.0.1,', 'proxy.internal', '10.0.0/8', '1.2.3.4/8/9', '10.0.0.1/x']) {
    t.throws(() => parseTrustProxy(bad), { code: 'ERR_CONFIG', variable: 'TRUST_PROXY' }, bad)
  }
  t.throws(() => parseConfig({ JWT_SECRET: TEST_SECRET, TRUST_PROXY: 'everyone' }), { code: 'ERR_CONFIG', variable: 'TRUST_PROXY' }, 'refused at start')
  t.equal(parseConfig({ JWT_SECRET: TEST_SECRET, TRUST_PROXY: '127.0.0.1' }).TRUST_PROXY, '127.0.0.1')
})

t.test('a hop count trusts that many hops from the socket, as Fastify no longer does for a plain number', async (t) => {
  const trust = fastifyTrustProxy('2')
  t.type(trust, 'function')
  if (typeof trust !== 'function') return
  t.same([0, 1, 2, 3].map((hop) => trust('203.0.113.1', hop)), [true, true, false, false])
})
