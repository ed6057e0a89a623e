import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { bearer, PASSWORD } from '../helper.js'
import { ROOT } from '../package/loaded-modules.js'
import { freePort } from '../support/free-port.js'
import { startTollgate } from '../support/processes.js'
import { freshDatabaseName, freshRedisPrefix, POSTGRES_URL, REDIS_URL, withDatabaseName } from '../support/stores.js'
import { httpClient } from './http-client.js'
import { logIn, meStatus, refusedBy } from './probes.js'

/** The README's "Several instances" section: its text up to the next section. */
function section (): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Several instances\n')
  if (start === -1) throw new Error('README.md has no "Several instances" section')
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

/** Runs a shell script as an operator pastes it, with `input` on standard input; resolves with its exit code and output. */
function runScript (script: string, cwd: string, input: string): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-e', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd } })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output }))
    child.stdin.end(input)
  })
}

for (const redis of [true, false]) {
  t.test(`the README's "Several instances" commands, run as written ${redis ? 'with' : 'without'} Redis, give two instances that share tokens and logouts`, async (t) => {
    t.setTimeout(240_000)
    await runRecipe(t, redis)
  })
}

async function runRecipe (t: Test, redis: boolean): Promise<void> {
  const text = section()
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
  t.equal(blocks.length, 2, 'one block run once, one line per instance')
  const [setup = '', instances = ''] = blocks

  // The only changes: the README's example hosts, names and ports become this machine's own, fresh ones.
  const database = freshDatabaseName(t)
  const postgres = new URL(POSTGRES_URL)
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const mapping: Array<[string, string]> = [
    ['--host db --username postgres --owner tollgate tollgate',
      `--host ${postgres.hostname} --port ${postgres.port || '5432'} --username ${postgres.username} --owner ${postgres.username} ${database}`],
    ['DATABASE_URL=postgres://tollgate@db:5432/tollgate', `DATABASE_URL=${withDatabaseName(POSTGRES_URL, database)}`],
    // Without Redis, its line goes: the README calls it optional.
    ['REDIS_URL=redis://cache:6379\n', redis ? `REDIS_URL=${REDIS_URL}\nREDIS_PREFIX=${await freshRedisPrefix(t)}\n` : ''],
    ['PORT=3001 METRICS_PORT=9465', `PORT=${ports[0]} METRICS_PORT=${ports[1]}`],
    ['PORT=3002 METRICS_PORT=9466', `PORT=${ports[2]} METRICS_PORT=${ports[3]}`]
  ]
  let [script, starts] = [setup, instances]
  for (const [from, to] of mapping) {
    t.ok(script.includes(from) || starts.includes(from), `the README still says ${from}`)
    script = script.replace(from, to)
    starts = starts.replace(from, to)
  }
  t.match(script, /^PUBLIC_URL=https:\/\/\S+$/m, 'one PUBLIC_URL, in the .env every instance shares')

  // A folder standing in for a Tollgate checkout after `npm ci`: this one's build and its `tollgate` command.
  const folder = t.testdir({})
  symlinkSync(join(ROOT, 'dist'), join(folder, 'dist'))
  mkdirSync(join(folder, 'node_modules', '.bin'), { recursive: true })
  symlinkSync(join(ROOT, 'dist', 'cli.js'), join(folder, 'node_modules', '.bin', 'tollgate'))

  const once = await runScript(script, folder, `${PASSWORD}\n`)
  t.equal(once.code, 0, 'the database, the settings, the schema and the first admin', { output: once.output })

  const started = []
  for (const line of starts.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'))) {
    const words = line.trim().split(/\s+/)
    const env: Record<string, string> = {}
    while (/^[A-Z_]+=/.test(words[0] ?? '')) {
      const [name = '', value = ''] = words.shift()!.split('=')
      env[name] = value
    }
    t.equal(words.shift(), 'node', `${line} runs the server with Node.js`)
    // Empty, the helper's own PUBLIC_URL gives way to the .env's, as the README's instances have no other.
    started.push(startTollgate(t, { cwd: folder, env: { ...env, PUBLIC_URL: '' }, script: words }))
  }
  const [a, b] = await Promise.all(started)
  if (a === undefined || b === undefined) throw new Error('the README starts fewer than two instances')
  const [onA, onB] = [httpClient(a.url), httpClient(b.url)]

  for (const client of [onA, onB]) {
    const metadata = (await client.get('/.well-known/oauth-authorization-server')).json()
    t.equal(metadata.issuer, 'https://auth.example.com', `${client.url} names the shared PUBLIC_URL as the issuer`)
  }
  const admin = await logIn(onA, 'admin', PASSWORD)
  const me = await onB.get('/users/me', { headers: bearer(admin.access) })
  t.equal(me.status, 200, 'the first admin\'s token from A is accepted by B')
  t.same(me.json().roles, ['admin'])

  t.equal((await onA.post('/auth/logout', { headers: bearer(admin.access) })).status, 204, 'logged out on A')
  await refusedBy(t, onB, admin.access, performance.now(), 'the logged-out token')
  t.equal(await meStatus(onA, admin.access), 401, 'and on A')
}
