// Run by `npm test` before anything else: the browser test drives Debian's Chromium, and on a fresh
// machine it is not installed yet. As root it is installed with apt-get; otherwise this says what to
// run and stops, rather than letting the suite run for minutes and fail one test at the end.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

// The same path test/browser/chromium.ts launches.
const CHROMIUM = '/usr/bin/chromium'
const INSTALL = 'apt-get update && apt-get install -y chromium'

function run (command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return result.status === 0
}

function fail (message) {
  process.stderr.write(`ensure-chromium: ${message}\n`)
  process.exit(1)
}

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) fail(`the browser test needs Debian's Chromium at ${CHROMIUM}: run \`sudo sh -c '${INSTALL}'\`, then npm test again`)
  if (!existsSync('/usr/bin/apt-get')) fail(`the browser test needs Chromium at ${CHROMIUM}, and this machine has no apt-get to install it with`)
  process.stdout.write(`ensure-chromium: installing Debian's chromium for the browser test (${INSTALL})…\n`)
  if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', 'chromium'])) fail(`\`${INSTALL}\` failed: see its output above`)
  if (!existsSync(CHROMIUM)) fail(`chromium was installed but ${CHROMIUM} is still missing`)
  process.stdout.write(`ensure-chromium: installed ${CHROMIUM}\n`)
}
