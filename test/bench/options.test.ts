import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { CASE_IDS } from '../../bench/lib/cases.js'
import { DEFAULT_CHART, parseBenchOptions } from '../../bench/lib/options.js'

// The runner as `npm run bench` starts it: compiled (npm test builds first).
const RUNNER = join(import.meta.dirname, '..', '..', 'dist', 'bench', 'run.js')

t.test('npm run bench -- --help prints every option and starts nothing', async (t) => {
  const result = spawnSync(process.execPath, [RUNNER, '--help'], { encoding: 'utf8', timeout: 30_000 })
  t.equal(result.status, 0)
  for (const option of ['--duration', '--rounds', '--connections', '--cases', '--soak', '--soak-faults', '--quick', '--chart', '--profile', '--help']) t.match(result.stdout, option)
  t.match(result.stdout, CASE_IDS.join(', '), 'the case ids are listed')
  t.notMatch(result.stdout, /starting servers/)
})

t.test('an unknown option is a one-line error with exit code 2, not a stack trace', async (t) => {
  for (const args of [['--fast'], ['--rounds', 'many'], ['--cases', 'hs256,nope']]) {
    const result = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', timeout: 30_000 })
    t.equal(result.status, 2, args.join(' '))
    t.equal(result.stderr.trimEnd().split('\n').length, 1, 'one line')
    t.match(result.stderr, /^bench: .*--help lists the options/)
    t.notMatch(result.stderr, /\n\s+at /)
    t.equal(result.stdout, '', 'nothing started')
  }
})

t.test('options are parsed and checked', async (t) => {
  t.same(parseBenchOptions([], CASE_IDS), { duration: 5, rounds: 3, connections: 50, quick: false, chart: DEFAULT_CHART })
  t.same(parseBenchOptions(['--quick', '--cases', 'open, hs256', '--soak', '60', '--chart', '/tmp/b.svg'], CASE_IDS),
    { duration: 5, rounds: 3, connections: 50, soak: 60, quick: true, cases: ['open', 'hs256'], chart: '/tmp/b.svg' })
  t.equal(parseBenchOptions(['--help'], CASE_IDS), 'help')
  t.throws(() => parseBenchOptions(['--fast'], CASE_IDS), { name: 'UsageError', message: "Unknown option '--fast'" })
  t.throws(() => parseBenchOptions(['--duration'], CASE_IDS), { name: 'UsageError' }, 'a missing value')
  t.throws(() => parseBenchOptions(['--connections', '0'], CASE_IDS), { message: '--connections wants a whole number of at least 1, not "0"' })
  t.throws(() => parseBenchOptions(['--duration', '2.5'], CASE_IDS), { name: 'UsageError' })
  t.throws(() => parseBenchOptions(['--cases', 'hs256,nope'], CASE_IDS), { message: /^unknown case "nope": the cases are open, / })
  t.throws(() => parseBenchOptions(['--cases', ','], CASE_IDS), { message: '--cases names no case' })
  t.throws(() => parseBenchOptions(['stray'], CASE_IDS), { name: 'UsageError' }, 'a positional argument')
})

t.test('--profile names the folder the Tollgate servers write their CPU profiles to', async (t) => {
  t.match(parseBenchOptions(['--profile', '/tmp/profiles', '--cases', 'grant-es-basic'], CASE_IDS), { profile: '/tmp/profiles', cases: ['grant-es-basic'] })
  t.notOk('profile' in (parseBenchOptions([], CASE_IDS) as object), 'no profiling unless asked for')
  t.throws(() => parseBenchOptions(['--profile'], CASE_IDS), { name: 'UsageError' }, 'a missing folder')
  t.throws(() => parseBenchOptions(['--profile', ''], CASE_IDS), { name: 'UsageError', message: '--profile wants a folder' })
  t.throws(() => parseBenchOptions(['--soak-faults', '--profile', '/tmp/profiles'], CASE_IDS), { name: 'UsageError', message: /^--profile is for the cases' servers/ })
})

t.test('the fault soak runs 5 minutes unless --soak says otherwise, and never less than one', async (t) => {
  t.same(parseBenchOptions(['--soak-faults'], CASE_IDS), { duration: 5, rounds: 3, connections: 50, soak: 300, quick: false, chart: DEFAULT_CHART, soakFaults: true })
  t.match(parseBenchOptions(['--soak-faults', '--soak', '90'], CASE_IDS), { soak: 90, soakFaults: true })
  t.throws(() => parseBenchOptions(['--soak-faults', '--soak', '30'], CASE_IDS), { name: 'UsageError', message: '--soak-faults needs --soak of at least 60 seconds, not 30' })
  t.throws(() => parseBenchOptions(['--soak-faults', '--cases', 'open'], CASE_IDS), { name: 'UsageError', message: '--soak-faults runs no case: leave out --cases' })
  t.notOk('soakFaults' in (parseBenchOptions(['--soak', '30'], CASE_IDS) as object), 'a plain --soak is the soak after the cases')
})
