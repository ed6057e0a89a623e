import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { createUser, PASSWORD } from '../helper.js'
import { cli, fileEnv } from '../cli/run-cli.js'
import { startTollgate } from '../service/running-tollgate.js'
import { freePort } from '../support/free-port.js'
import { hiddenRequest } from '../support/sign-in.js'

const run = promisify(execFile)
const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8')
const DOCUMENTED_BASE = 'http://127.0.0.1:3000'

/** The shell block after the README's `walkthrough: authorization code` marker, as lines. */
function walkthrough (): string[] {
  const start = README.indexOf('<!-- walkthrough: authorization code -->')
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(start))
  if (start < 0 || block?.[1] === undefined) throw new Error('the README has no authorization code walkthrough')
  return block[1].split('\n')
}

/**
 * The README's curl-and-browser walkthrough, run as written against a Tollgate at another port: its
 * command line, its shell lines (openssl makes the PKCE pair), the browser's part (open the address,
 * post the sign-in form) and its curl exchange; the answer has the members the README shows.
 */
t.test('the README\'s authorization code walkthrough works as written', async (t) => {
  const lines = walkthrough()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env = { ...fileEnv(t.testdir()), PUBLIC_URL: base }
  const tollgate = await startTollgate(t, env, port)
  await createUser(tollgate.app, 'admin')
  const here = (line: string): string => line.replaceAll(DOCUMENTED_BASE, base)

  const command = lines.find((line) => line.startsWith('npx tollgate '))?.replace(/\s+#.*$/, '') ?? ''
  const added = await cli(command.split(/\s+/).slice(2), env)
  t.equal(added.code, 0, `${command}: ${added.stderr}`)
  await tollgate.app.clients.directory.sync()

  const shell = lines.filter((line) => /^(VERIFIER|CHALLENGE)=|^echo /.test(line)).map(here)
  t.equal(shell.length, 3, 'the verifier, the challenge and the address')
  const { stdout } = await run('bash', ['-c', `${shell.join('\n')}\nprintf '%s\\n' "$VERIFIER"`])
  const [address = '', verifier = ''] = stdout.trim().split('\n')
  t.match(verifier, /^[A-Za-z0-9_-]{43,128}$/, 'an RFC 7636 verifier')

  // The browser: open the address, sign in, and read the code from where it is sent.
  const page = await fetch(address)
  t.equal(page.status, 200, 'the address opens the sign-in page')
  const posted = await fetch(new URL('authorize', address), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: hiddenRequest(await page.text()), username: 'admin', password: PASSWORD })
  })
  const callback = new URL(posted.headers.get('location') ?? '')
  t.equal(`${callback.origin}${callback.pathname}`, 'http://127.0.0.1:8765/callback')
  t.equal(callback.searchParams.get('state'), 'xyz')
  t.equal(callback.searchParams.get('iss'), base)

  const curlStart = lines.findIndex((line) => line.startsWith('curl ') && line.includes('authorization_code'))
  const curl = lines.slice(curlStart, curlStart + 2).map(here).join('\n')
  const exchanged = await run('bash', ['-c', curl], { env: { ...process.env, VERIFIER: verifier, CODE: callback.searchParams.get('code') ?? '' } })
  const answer = JSON.parse(exchanged.stdout) as Record<string, unknown>
  const documented = lines[curlStart + 2] ?? ''
  t.match(documented, /^# → \{/)
  for (const member of documented.match(/"(\w+)":/g)?.map((name) => name.slice(1, -2)) ?? []) t.ok(member in answer, `the answer has ${member}`)
  const me = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${String(answer.access_token)}` } })
  t.equal(me.status, 200, 'the token works')
})
