import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bearer } from '../helper.js'
import { holdsBy } from '../multi-instance/deadline.js'
import { ROOT } from '../package/loaded-modules.js'
import { deploy, logIn } from '../service/tollgate-deployment.js'
import { startTollgate } from '../support/processes.js'
import { installDependencies, packVerifier } from '../support/verifier-package.js'

const EXAMPLE = join(ROOT, 'examples', 'relying-service')
const read = (file: string): string => readFileSync(join(EXAMPLE, file), 'utf8')

/** How soon a logout on Tollgate must be refused by the example, as the README says. */
const FEED_DEADLINE_MS = 1000

t.test('the README shows the example\'s server.mjs whole, as a reader pastes it', async (t) => {
  const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((match) => match[1])
  t.ok(blocks.includes(read('server.mjs')), 'a js block of the README equals examples/relying-service/server.mjs')
})

t.test('the example, installed with the packed @tollgate/auth, serves a token, refuses none, and refuses a logout within a second', async (t) => {
  t.setTimeout(240_000)
  const deployment = await deploy(t)
  // Beside Tollgate's files, in the test's own folder (deploy makes it).
  const dir = join(deployment.cwd, 'relying-service')
  mkdirSync(dir)
  for (const file of ['package.json', 'server.mjs']) copyFileSync(join(EXAMPLE, file), join(dir, file))
  // The README's steps: pack into the example's folder, then `npm install` there.
  const { filename } = await packVerifier(dir)
  const manifest = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
  t.equal(manifest.dependencies['@tollgate/auth'], `file:${filename}`, 'the example depends on the tarball npm pack writes')
  await installDependencies(dir)

  const service = await startTollgate(t, {
    cwd: dir,
    script: ['server.mjs'],
    env: { TOLLGATE_URL: deployment.issuer, TOLLGATE_FEED_SECRET: deployment.secret, PORT: '0' }
  })
  const orders = async (token?: string): Promise<number> =>
    (await fetch(`${service.url}/orders`, { headers: token === undefined ? {} : bearer(token) })).status

  const token = await logIn(deployment.issuer)
  t.equal(await orders(token), 200, 'a token of Tollgate\'s is served')
  const body = await (await fetch(`${service.url}/orders`, { headers: bearer(token) })).json()
  t.match(body, { customer: /^[\w-]+$/, orders: [] })
  t.equal(await orders(), 401, 'no token: 401')

  t.equal((await fetch(`${deployment.issuer}/auth/logout`, { method: 'POST', headers: bearer(token) })).status, 204, 'logged out on Tollgate')
  const refused = await holdsBy(() => orders(token), (status) => status === 401, { deadlineMs: FEED_DEADLINE_MS })
  t.ok(refused.met, `the logged-out token is refused by the example within ${FEED_DEADLINE_MS} ms`, { sentAtMs: Math.round(refused.sentAtMs), last: refused.last })
})
