import { parseArgs } from 'node:util'

export interface BenchOptions {
  /** Seconds of one measurement. */
  duration: number
  rounds: number
  connections: number
  /** Seconds of the soak after the cases, when asked for; with `soakFaults`, the fault soak's length. */
  soak?: number
  /** Run the fault soak (outages under load) instead of the cases. */
  soakFaults?: true
  quick: boolean
  /** Only these cases; undefined for all of them. */
  cases?: string[]
  /** Where the SVG chart is written. */
  chart: string
  /** Where each Tollgate server writes its CPU profile (`node --cpu-prof`), when asked for. */
  profile?: string
}

/** A command line that cannot be run: said in one line, with exit code 2, never as a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export const DEFAULT_CHART = 'bench/results.svg'
export const DEFAULT_FAULT_SOAK = 300
/** The faults follow one another with load in between: shorter, they would overlap. */
export const MIN_FAULT_SOAK = 60

export function helpText (caseIds: readonly string[]): string {
  return `Usage: npm run bench -- [options]

Starts Tollgate and its peers (Fastify + @fastify/jwt, Express + passport-jwt) on loopback, each in its
own process, and measures every case in turn, round after round. Prints a table and the targets, and
writes an SVG chart of requests/s and p99 latency per case.

Options:
  --duration SECONDS   length of one measurement (default 5)
  --rounds N           rounds over every case; each number is the median of the rounds (default 3)
  --connections N      concurrent connections of the load generator (default 50)
  --cases ID,ID,...    measure only these cases (and those their tables compare them with: a grant case's
                       open route, a LOG_LEVEL=info case's case at warn): ${caseIds.join(', ')}
  --soak SECONDS       afterwards, load the protected route this long and compare memory
  --soak-faults        instead of the cases: two instances on a PostgreSQL and a Redis of their own under
                       a mixed load while Redis, PostgreSQL and one instance fail and come back;
                       --soak SECONDS sets its length (default ${DEFAULT_FAULT_SOAK}, at least ${MIN_FAULT_SOAK})
  --quick              a smoke run: one round of 1 s per case, shorter extras
  --chart FILE         where to write the SVG chart (default ${DEFAULT_CHART})
  --profile DIR        run every Tollgate server under node --cpu-prof: each writes its CPU profile of the
                       whole run to DIR when it stops, named after it (tollgate-es256.cpuprofile, …); open
                       one in Chrome DevTools (Performance) or speedscope
  --help               print this and exit
`
}

function positiveInteger (name: string, value: string): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < 1) throw new UsageError(`--${name} wants a whole number of at least 1, not "${value}"`)
  return number
}

/**
 * The bench's options from its command line, or 'help'. Throws UsageError for an unknown option, a
 * missing or malformed value, or a case that does not exist.
 */
export function parseBenchOptions (args: string[], caseIds: readonly string[]): BenchOptions | 'help' {
  let values
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        duration: { type: 'string', default: '5' },
        rounds: { type: 'string', default: '3' },
        connections: { type: 'string', default: '50' },
        soak: { type: 'string' },
        'soak-faults': { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        cases: { type: 'string' },
        chart: { type: 'string', default: DEFAULT_CHART },
        profile: { type: 'string' },
        help: { type: 'boolean', default: false }
      }
    }))
  } catch (error) {
    // node:util names the option at fault ("Unknown option '--foo'"); that line is the whole message.
    throw new UsageError((error as Error).message.split('\n')[0]!)
  }
  if (values.help) return 'help'
  const cases = values.cases?.split(',').map((id) => id.trim()).filter((id) => id !== '')
  const unknown = cases?.filter((id) => !caseIds.includes(id)) ?? []
  if (unknown.length > 0) throw new UsageError(`unknown case ${unknown.map((id) => `"${id}"`).join(', ')}: the cases are ${caseIds.join(', ')}`)
  if (cases?.length === 0) throw new UsageError('--cases names no case')
  const soak = values.soak === undefined ? undefined : positiveInteger('soak', values.soak)
  if (values.profile === '') throw new UsageError('--profile wants a folder')
  if (values['soak-faults']) {
    if (soak !== undefined && soak < MIN_FAULT_SOAK) throw new UsageError(`--soak-faults needs --soak of at least ${MIN_FAULT_SOAK} seconds, not ${soak}`)
    if (cases !== undefined) throw new UsageError('--soak-faults runs no case: leave out --cases')
    if (values.profile !== undefined) throw new UsageError('--profile is for the cases\' servers: the fault soak runs none of them')
    return { ...parsed(values, soak ?? DEFAULT_FAULT_SOAK), soakFaults: true }
  }
  return parsed(values, soak, cases)
}

function parsed (values: { duration: string, rounds: string, connections: string, quick: boolean, chart: string, profile?: string | undefined }, soak?: number, cases?: string[]): BenchOptions {
  return {
    duration: positiveInteger('duration', values.duration),
    rounds: positiveInteger('rounds', values.rounds),
    connections: positiveInteger('connections', values.connections),
    ...(soak === undefined ? {} : { soak }),
    quick: values.quick,
    ...(cases === undefined ? {} : { cases }),
    chart: values.chart,
    ...(values.profile === undefined ? {} : { profile: values.profile })
  }
}
