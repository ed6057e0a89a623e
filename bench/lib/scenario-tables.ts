import type { CaseLoad } from './case.js'
import { grantsDuringLoginStorm } from './grants.js'
import type { BenchServer } from './processes.js'
import { loginStorm, soak } from './scenarios.js'
import { table } from './table.js'
import { verifyCosts } from './verify-cost.js'

const verdict = (met: boolean): string => met ? 'met' : 'NOT MET'

/** What one uncached verification costs with each algorithm, in this process. */
export function verifyCostTable (quick: boolean): string {
  const costs = verifyCosts(quick ? 200 : 1000)
  const hsOps = costs[0]!.opsPerSecond
  return '\nOne verification without the cache (signature and claims), in this process:\n\n' +
    table(['algorithm', 'verifications/s', 'vs HS256'], costs.map((c) => [c.algorithm, c.opsPerSecond.toFixed(0), `${(c.opsPerSecond / hsOps).toFixed(2)}×`]))
}

/** The protected route at a steady `rate` while argon2id logins storm the same server. */
export async function loginStormTable (server: BenchServer, { quick, rate }: { quick: boolean, rate: number }): Promise<string> {
  const storm = await loginStorm(server, { durationSeconds: quick ? 2 : 10, rate })
  return '\nLogin storm (argon2id logins from 16 connections while the protected route takes a steady rate):\n\n' +
    table(['measure', 'value', 'wanted', ''], [
      ['protected p99, idle', `${storm.idleP99.toFixed(1)} ms`, '', ''],
      ['protected p99, during the storm', `${storm.stormP99.toFixed(1)} ms`, `≤ ${(2 * storm.idleP99).toFixed(1)} ms (2× idle)`, verdict(storm.stormP99 <= 2 * storm.idleP99)],
      ['event-loop delay p99, during the storm', `${storm.loopDelayP99.toFixed(1)} ms`, '< 20 ms', verdict(storm.loopDelayP99 < 20)],
      ['logins/s', storm.loginsPerSecond.toFixed(1), '', ''],
      ['non-2xx on the protected route', String(storm.protectedFailures), '0', verdict(storm.protectedFailures === 0)]
    ])
}

/** Client credentials grants alone, then during a login storm on the same server. */
export async function grantStormTable (server: BenchServer, load: CaseLoad, options: { connections: number, durationSeconds: number, requests: number }): Promise<string> {
  const storm = await grantsDuringLoginStorm(server, load, options)
  const kept = storm.stormed.requestsPerSecond / storm.alone.requestsPerSecond
  return '\nGrants during a login storm (Tollgate ES256, client_secret_basic, with argon2id logins from 16 connections):\n\n' +
    table(['measure', 'value', 'wanted', ''], [
      ['grants/s alone', storm.alone.requestsPerSecond.toFixed(0), '', ''],
      ['grants/s during the storm', storm.stormed.requestsPerSecond.toFixed(0), `≥ ${(storm.alone.requestsPerSecond / 2).toFixed(0)} (half)`, verdict(kept >= 0.5)],
      ['grant p99 alone / during the storm', `${storm.alone.p99.toFixed(1)} / ${storm.stormed.p99.toFixed(1)} ms`, '', ''],
      ['logins/s during the storm', storm.logins.requestsPerSecond.toFixed(1), '', ''],
      ['non-2xx grants', String(storm.alone.non2xx + storm.stormed.non2xx + storm.alone.errors + storm.stormed.errors), '0', '']
    ])
}

/** The protected route at its peak for `seconds`: nothing may fail, and memory must settle. */
export async function soakTable (server: BenchServer, { seconds, connections }: { seconds: number, connections: number }): Promise<string> {
  const result = await soak(server, { durationSeconds: seconds, connections })
  const within = (ratio: number): string => verdict(Math.abs(ratio - 1) <= 0.1)
  return `\nSoak: the protected route at its peak for ${seconds} s\n\n` +
    table(['measure', 'value', 'wanted', ''], [
      ['requests', String(result.total), '', ''],
      ['non-2xx and errors', String(result.failures), '0', verdict(result.failures === 0)],
      ['heap after / before', `${result.heapRatio.toFixed(3)}×`, 'within 10%', within(result.heapRatio)],
      ['RSS after / before', `${result.rssRatio.toFixed(3)}×`, 'within 10%', within(result.rssRatio)]
    ])
}
