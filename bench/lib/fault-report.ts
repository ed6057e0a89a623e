import { lateness, type FaultWindow, type Revocation, type Tally } from './fault-tally.js'
import { table } from './table.js'

export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`

export interface FaultSoakResult {
  seconds: number
  loadBefore: number[]
  loadAfter: number[]
  tally: Tally
  windows: FaultWindow[]
  begin: number
  watched: Array<{ kind: 'user' | 'client', endedOn: string, revocation: Revocation }>
  /** Ended tokens still accepted somewhere `settleSeconds` after the last fault had passed. */
  acceptedAfterSettling: number
  settleSeconds: number
  acceptedAtEnd: number
  rss: Record<string, { start: number, end?: number, note?: string }>
  logErrors: Record<string, Map<string, number>>
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
const load = (averages: number[]): string => averages.map((n) => n.toFixed(1)).join(', ')

/** Prints the soak's tables; true when it found something wrong (an unexpected answer, a revocation lost). */
export function printFaultReport (result: FaultSoakResult): boolean {
  const { tally, windows, begin } = result
  const late = result.watched.map((entry) => ({ ...entry, ...lateness(entry.revocation, windows) }))
  const longest = (entries: typeof late, key: 'raw' | 'afterRecovery') => Math.max(0, ...entries.map((entry) => entry[key]))
  const logLines = Object.entries(result.logErrors).flatMap(([name, errors]) => [...errors].map(([message, n]) => [name, message, String(n)]))
  const failed = tally.unexpected.length > 0 || result.acceptedAtEnd > 0 || result.acceptedAfterSettling > 0

  console.log(`\nFault soak: ${result.seconds.toFixed(0)} s, load average ${load(result.loadBefore)} before and ${load(result.loadAfter)} after (1, 5, 15 min)\n`)
  console.log(table(['fault', 'began at', 'lasted'], windows.map((w) => [
    w.kind === 'kill' ? `instance ${w.target ?? ''} killed (SIGKILL), started again` : w.kind === 'redis' ? 'Redis stopped, started again' : 'PostgreSQL stopped (fast), started again',
    seconds(w.start - begin), w.end === undefined ? 'never recovered' : seconds(w.end - w.start)
  ])))
  console.log('\n' + table(['measure', 'value', 'wanted', ''], [
    ['requests made', String(tally.total), '', ''],
    ['requests answered (any status)', String(tally.byOutcome().reduce((n, [key, count]) => /^\d+$/.test(key) ? n + count : n, 0)), '', ''],
    ['requests/s', (tally.total / result.seconds).toFixed(1), '', ''],
    ['logouts and revocations followed', `${result.watched.length} (${result.watched.filter((w) => w.kind === 'user').length} user, ${result.watched.filter((w) => w.kind === 'client').length} client)`, '', ''],
    ['documented fault answers (503 while PostgreSQL was down, no connection to the killed instance)', String(tally.faultAnswers), '', ''],
    ['any other failure', String(tally.unexpected.length), '0', tally.unexpected.length === 0 ? 'met' : 'NOT MET'],
    ['longest an ended token was still accepted anywhere, from its revocation', seconds(longest(late, 'raw')), '', ''],
    ['longest an ended token was still accepted anywhere after recovery of all faults', seconds(longest(late, 'afterRecovery')), '', ''],
    [`ended tokens still accepted somewhere ${result.settleSeconds} s after the last fault`, String(result.acceptedAfterSettling), '0', result.acceptedAfterSettling === 0 ? 'met' : 'NOT MET'],
    ['ended tokens still accepted somewhere at the end', String(result.acceptedAtEnd), '0', result.acceptedAtEnd === 0 ? 'met' : 'NOT MET']
  ]))

  const outcomes = tally.byOutcome().map(([key]) => key)
  console.log('\nAnswers by endpoint (status, or how the request failed):\n')
  console.log(table(['endpoint', ...outcomes], [
    ...[...tally.byEndpoint].sort(([x], [y]) => x.localeCompare(y)).map(([endpoint, counts]) => [endpoint, ...outcomes.map((key) => String(counts.get(key) ?? ''))]),
    ['all', ...tally.byOutcome().map(([, n]) => String(n))]
  ]))

  console.log('\nMemory (RSS) of each instance:\n')
  console.log(table(['instance', 'start', 'end', ''], Object.entries(result.rss).map(([name, { start, end, note }]) =>
    [name, mb(start), end === undefined ? '' : mb(end), note === undefined ? '' : `${note}; the end is its new process`])))

  const slowest = late.filter((entry) => entry.raw > 0).sort((x, y) => y.afterRecovery - x.afterRecovery || y.raw - x.raw)
  if (slowest.length > 0) {
    console.log(`\nEnded tokens accepted somewhere after their revocation: ${slowest.length} of ${late.length}; the slowest:\n`)
    console.log(table(['token', 'ended on', 'ended at', 'last accepted at', 'by', 'after revocation', 'after recovery'], slowest.slice(0, 8).map((entry) => [
      entry.kind, entry.endedOn, seconds(entry.revocation.revokedAt - begin), seconds((entry.revocation.lastAcceptedAt ?? 0) - begin),
      (entry.revocation.acceptedBy ?? []).join(', '), seconds(entry.raw), seconds(entry.afterRecovery)
    ])))
  }

  if (tally.unexpected.length > 0) {
    const groups = new Map<string, { n: number, first: number }>()
    for (const answer of tally.unexpected) {
      const key = `${answer.endpoint} | ${answer.target} | ${answer.outcome}`
      const group = groups.get(key) ?? { n: 0, first: answer.at }
      group.n++
      groups.set(key, group)
    }
    console.log('\nFailures outside the documented ones:\n')
    console.log(table(['endpoint', 'where', 'answer', 'count', 'first at'], [...groups].map(([key, { n, first }]) => [...key.split(' | '), String(n), seconds(first - begin)])))
  }
  if (logLines.length > 0) {
    console.log('\nLog lines at level error or worse:\n')
    console.log(table(['instance', 'message', 'count'], logLines))
  }
  return failed
}
