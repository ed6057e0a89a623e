import t from 'tap'
import { classify, lateness, recoveryStart, Tally, type Answer, type FaultWindow } from '../../bench/lib/fault-tally.js'

const redis: FaultWindow = { kind: 'redis', start: 10_000, end: 20_000 }
const postgres: FaultWindow = { kind: 'postgres', start: 30_000, end: 35_000 }
const kill: FaultWindow = { kind: 'kill', target: 'A', start: 50_000, end: 60_000 }
const windows = [redis, postgres, kill]
const answer = (fields: Partial<Answer>): Answer => ({ endpoint: 'GET /users/me', target: 'A', outcome: 200, at: 0, wanted: true, ...fields })

t.test('a wanted answer is wanted whenever it comes', async (t) => {
  t.equal(classify(answer({ at: 32_000 }), windows), 'wanted')
})

t.test('a 503 is the documented fault only while PostgreSQL is down, and a few seconds after', async (t) => {
  t.equal(classify(answer({ outcome: 503, wanted: false, at: 31_000 }), windows), 'fault')
  t.equal(classify(answer({ outcome: 503, wanted: false, at: 39_000 }), windows), 'fault', 'within the grace after it is back')
  t.equal(classify(answer({ outcome: 503, wanted: false, at: 41_000 }), windows), 'unexpected', 'after the grace')
  t.equal(classify(answer({ outcome: 503, wanted: false, at: 15_000 }), windows), 'unexpected', 'Redis down is no reason for a 503')
  t.equal(classify(answer({ outcome: 503, wanted: false, at: 31_000, target: 'relying' }), windows), 'unexpected', 'the relying service needs no database')
  t.equal(classify(answer({ outcome: 500, wanted: false, at: 31_000 }), windows), 'unexpected', 'a 500 never is')
})

t.test('no connection is the documented fault only for the killed instance while it is down', async (t) => {
  t.equal(classify(answer({ outcome: 'refused', wanted: false, at: 55_000 }), windows), 'fault')
  t.equal(classify(answer({ outcome: 'reset', wanted: false, at: 50_000 }), windows), 'fault', 'a request cut by the kill')
  t.equal(classify(answer({ outcome: 'refused', wanted: false, at: 55_000, target: 'B' }), windows), 'unexpected', 'the other instance stays up')
  t.equal(classify(answer({ outcome: 'timeout', wanted: false, at: 5000 }), windows), 'unexpected', 'outside any fault')
  t.equal(classify(answer({ outcome: 'refused', wanted: false, at: 55_000 }), [{ ...kill, end: undefined }]), 'fault', 'a fault not over yet')
})

t.test('a revocation\'s clock starts at once, or when the faults under way have all passed', async (t) => {
  t.equal(recoveryStart(5000, windows), 5000, 'no fault under way')
  t.equal(recoveryStart(12_000, windows), 20_000, 'during the Redis outage: when Redis is back')
  t.equal(recoveryStart(20_000, windows), 20_000, 'at the moment it is back')
  t.equal(recoveryStart(12_000, [redis, { kind: 'postgres', start: 18_000, end: 25_000 }]), 25_000, 'faults that overlap chain')
  t.equal(recoveryStart(55_000, [{ ...kill, end: undefined }]), Infinity, 'a fault never over')
})

t.test('how long an ended token was still accepted', async (t) => {
  t.same(lateness({ revokedAt: 1000 }, windows), { raw: 0, afterRecovery: 0 }, 'never accepted after its revocation')
  t.same(lateness({ revokedAt: 1000, lastAcceptedAt: 1400 }, windows), { raw: 400, afterRecovery: 400 })
  t.same(lateness({ revokedAt: 52_000, lastAcceptedAt: 61_000 }, windows), { raw: 9000, afterRecovery: 1000 }, 'from the recovery when ended during a fault')
  t.same(lateness({ revokedAt: 52_000, lastAcceptedAt: 58_000 }, windows), { raw: 6000, afterRecovery: 0 }, 'accepted only while the fault lasted')
})

t.test('the tally counts by endpoint and outcome and keeps the unexpected answers', async (t) => {
  const live: FaultWindow[] = []
  const tally = new Tally(live)
  tally.add(answer({ endpoint: 'POST /auth/login', at: 1000 }))
  tally.add(answer({ endpoint: 'POST /auth/login', outcome: 503, wanted: false, at: 1000 }))
  // A window added after the tally was made still counts: the soak adds each fault as it begins.
  live.push({ kind: 'postgres', start: 2000 })
  tally.add(answer({ endpoint: 'POST /auth/login', outcome: 503, wanted: false, at: 3000 }))
  tally.add(answer({ endpoint: 'GET /users/me', outcome: 401, wanted: false, at: 3000 }))
  t.equal(tally.total, 4)
  t.equal(tally.faultAnswers, 1)
  t.same(tally.unexpected.map((a) => [a.endpoint, a.outcome, a.at]), [['POST /auth/login', 503, 1000], ['GET /users/me', 401, 3000]])
  t.same([...tally.byEndpoint.get('POST /auth/login')!], [['200', 1], ['503', 2]])
  t.same(tally.byOutcome(), [['200', 1], ['401', 1], ['503', 2]])
})
