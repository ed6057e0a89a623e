import { join } from 'node:path'
import t, { type Test } from 'tap'
import { bearer } from '../helper.js'
import { runTollgateCli, startTollgate } from '../support/processes.js'
import { holdsBy } from './deadline.js'
import { httpClient, type HttpClient, type HttpResponse } from './http-client.js'
import { logIn, meStatus, PROPAGATION_DEADLINE_MS, refusedBy, startPair } from './probes.js'

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` })

/** The README's introspection example: `curl -u "gateway:$SECRET" …/auth/introspect -d "token=$TOKEN"`. */
const introspect = (client: HttpClient, secret: string, token: string): Promise<HttpResponse> =>
  client.post('/auth/introspect', { headers: basic('gateway', secret), form: { token } })

const clientGrant = (client: HttpClient, secret: string): Promise<HttpResponse> =>
  client.post('/auth/token', { form: { grant_type: 'client_credentials', client_id: 'billing', client_secret: secret } })

/** Runs a `tollgate` command line as its own process; resolves with its stdout and the moment it ended. */
async function command (t: Test, argv: string[], env: Record<string, string>, cwd: string): Promise<{ stdout: string, endedAt: number }> {
  const run = await runTollgateCli(argv, env, cwd)
  const endedAt = performance.now()
  t.equal(run.code, 0, `tollgate ${argv.join(' ')}`, { stderr: run.stderr })
  return { stdout: run.stdout.trim(), endedAt }
}

/**
 * Asserts that `holds` is true of `probe`'s answer for a request sent by the deadline after `startedAt`.
 * Instances are probed side by side: one after the other, the second would start late on a loaded machine.
 */
async function answersBy (t: Test, probe: () => Promise<HttpResponse>, holds: (response: HttpResponse) => boolean, startedAt: number, what: string): Promise<void> {
  const result = await holdsBy(probe, holds, { deadlineMs: PROPAGATION_DEADLINE_MS, startedAt })
  const last = result.last as HttpResponse
  t.ok(result.met, `${what} by the ${PROPAGATION_DEADLINE_MS} ms mark`, { firstSentAtMs: Math.round(result.sentAtMs), lastStatus: last.status, lastBody: last.body })
}

t.test('one instance on SQLite: what the CLI changes is in effect as soon as the command returns', async (t) => {
  const cwd = t.testdir()
  const env = {
    NODE_ENV: 'test',
    JWT_SECRET: 'sqlite-instance-secret-at-least-32-bytes',
    DATABASE_URL: `sqlite:${join(cwd, 'tollgate.db')}`,
    TOLLGATE_ADMIN_USERNAME: 'root',
    TOLLGATE_ADMIN_PASSWORD: 'a long enough password'
  }
  const server = httpClient((await startTollgate(t, { env, cwd })).url)
  const { access } = await logIn(server, 'root', env.TOLLGATE_ADMIN_PASSWORD)

  const added = await command(t, ['client', 'add', 'gateway', '--permissions', 'introspect'], env, cwd)
  await answersBy(t, () => introspect(server, added.stdout, access), (response) => response.status === 200 && response.json().active === true,
    added.endedAt, 'the introspection example answers with the new client')

  const disabled = await command(t, ['client', 'disable', 'gateway'], env, cwd)
  await answersBy(t, () => introspect(server, added.stdout, access), (response) => response.status === 401 && response.json().error === 'invalid_client',
    disabled.endedAt, 'the disabled client is refused')
})

t.test('two instances on PostgreSQL without Redis', async (t) => {
  const { env, clients } = await startPair(t, { alice: [], bob: [] }, '10', { redis: false })
  const cwd = t.testdir()

  t.test('a logout on one is refused on the other by the deadline', async (t) => {
    const [onA, onB] = clients()
    const session = await logIn(onA, 'alice')
    t.equal(await meStatus(onB, session.access), 200, 'the token works on B')
    t.equal((await onA.post('/auth/logout', { headers: bearer(session.access) })).status, 204, 'A logs it out')
    await refusedBy(t, onB, session.access, performance.now(), 'the logged-out token')
  })

  t.test('a client added and then disabled through the CLI: known, then refused, on both by the deadline', async (t) => {
    const [onA, onB] = clients()
    const both = [['A', onA], ['B', onB]] as const
    const added = await command(t, ['client', 'add', 'billing'], env, cwd)
    await Promise.all(both.map(([name, client]) =>
      answersBy(t, () => clientGrant(client, added.stdout), (response) => response.status === 200, added.endedAt, `the new client gets a token on ${name}`)))
    const disabled = await command(t, ['client', 'disable', 'billing'], env, cwd)
    await Promise.all(both.map(([name, client]) =>
      answersBy(t, () => clientGrant(client, added.stdout), (response) => response.status === 401, disabled.endedAt, `the disabled client is refused on ${name}`)))
  })

  t.test('a user disabled through the CLI: their token is refused on both by the deadline', async (t) => {
    const [onA, onB] = clients()
    const session = await logIn(onA, 'bob')
    const disabled = await command(t, ['user', 'disable', 'bob'], env, cwd)
    await Promise.all([onA, onB].map((client) => refusedBy(t, client, session.access, disabled.endedAt, 'the disabled user\'s token')))
  })
})
