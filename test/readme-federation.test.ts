import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cli, fileEnv } from './cli/run-cli.js'
import { build } from './helper.js'
import { tokenRequest } from './support/client-assertions.js'
import { TEST_ISSUER } from './support/forge.js'
import { spiffeTrustDomain, startWorkloadIssuer } from './support/workload-issuer.js'

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')

/** The first `sh` block after `heading`, as logical lines (continuations joined), comments kept apart. */
function shellBlock (heading: string): string[] {
  const section = README.slice(README.indexOf(heading))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  return block.replace(/\\\n\s*/g, '').split('\n').filter((line) => line.trim() !== '')
}

/** Shell words, enough for the README's lines: double-quoted words keep their spaces. */
const words = (line: string): string[] => [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map(([word]) => word.replace(/"/g, ''))

t.test('the README\'s Kubernetes, SPIFFE and CI commands run as written, and its requests get the answers it shows', async (t) => {
  const lines = shellBlock('### Workload identity federation')
  t.ok(lines.length > 8, 'the section has its block')
  const dir = t.testdir()
  const env = fileEnv(dir)
  const cluster = await startWorkloadIssuer(t)
  const domain = await spiffeTrustDomain('example.org')
  const bundle = join(dir, 'bundle.jwks')
  writeFileSync(bundle, JSON.stringify(domain.bundle()))
  // The commands as written, but for the issuer and bundle the test serves in place of a real cluster and SPIRE.
  const local = (line: string): string => line.replace('https://oidc.cluster.example', cluster.issuer).replace('/etc/spire/bundle.jwks', bundle)

  const commands = lines.filter((line) => line.startsWith('npx tollgate '))
  t.equal(commands.length, 6)
  for (const command of commands) {
    const run = await cli(words(local(command)).slice(2), env)
    t.equal(run.code, 0, `${command}: ${run.stderr}`)
  }

  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  const tokens: Record<string, () => Promise<string>> = {
    '$(cat /var/run/secrets/tokens/tollgate)': async () => cluster.kubernetesToken('shop', 'orders', TEST_ISSUER),
    $JWT_SVID: async () => domain.svid('/ns/shop/sa/reports', TEST_ISSUER)
  }
  const requests = lines.filter((line) => line.startsWith('curl '))
  t.equal(requests.length, 2)
  for (const request of requests) {
    const fields: Record<string, string> = {}
    const args = words(request)
    for (const [index, arg] of args.entries()) {
      if (arg !== '-d') continue
      const [name = '', ...rest] = (args[index + 1] ?? '').split('=')
      const value = rest.join('=')
      fields[name] = value.startsWith('$') ? await (tokens[value] ?? (async () => value))() : value
    }
    const shown = JSON.parse((lines[lines.indexOf(request) + 1] ?? '').replace(/^# → /, '').replace('eyJ…', 'eyJ')) as Record<string, unknown>
    const response = await tokenRequest(app, fields)
    t.equal(response.statusCode, 200, `${request}: ${response.body}`)
    const { access_token: accessToken, ...rest } = response.json()
    const { access_token: shownToken, ...expected } = shown
    t.ok(String(accessToken).startsWith(String(shownToken)), 'a JWT')
    t.same(rest, expected, 'the answer the README shows')
  }
})
