import { CASE_IDS } from './lib/cases.js'
import { helpText, parseBenchOptions, UsageError } from './lib/options.js'

/**
 * `npm run bench [-- options]`: the command line first, so `--help` and a usage error answer at once; the
 * benchmark itself (servers, load generator) is loaded only for a real run.
 */
let options
try {
  options = parseBenchOptions(process.argv.slice(2), CASE_IDS)
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`bench: ${error.message} (npm run bench -- --help lists the options)\n`)
  process.exit(2)
}
if (options === 'help') {
  process.stdout.write(helpText(CASE_IDS))
  process.exit(0)
}
if (options.soakFaults === true) {
  const { runFaultSoak } = await import('./lib/fault-soak.js')
  await runFaultSoak(options.soak ?? 0)
} else {
  const { runBenchmark } = await import('./lib/benchmark.js')
  await runBenchmark(options)
}
