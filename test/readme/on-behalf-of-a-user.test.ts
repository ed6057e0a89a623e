import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { cli } from '../cli/run-cli.js'
import { createUser, login, testEnv } from '../helper.js'
import { startTollgate } from '../service/running-tollgate.js'
import { decodeJwt } from '../support/forge.js'
import { freePort } from '../support/free-port.js'

const run = promisify(execFile)
const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
const TITLE = '### Calling on behalf of a user'

/** The section's text, up to the next heading of its level or above. */
function section (): string {
  const start = README.indexOf(TITLE)
  const end = README.slice(start + TITLE.length).search(/\n#{2,3} /)
  return README.slice(start, end < 0 ? undefined : start + TITLE.length + end)
}

/** The section's fenced blocks of one language. */
const blocks = (text: string, language: string): string[] =>
  [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((match) => match[1] === language).map((match) => match[2] ?? '')

/** A shell block's commands (continuation lines joined), each with the `# → …` answer shown after it. */
function commands (block: string): Array<{ command: string, answer?: string }> {
  const found: Array<{ command: string, answer?: string }> = []
  let pending = ''
  for (const line of block.split('\n')) {
    if (line.startsWith('# → ')) {
      const last = found.at(-1)
      if (last !== undefined) last.answer = line.slice(4)
    } else if (!line.startsWith('#') && line.trim() !== '') {
      pending += line.replace(/\\$/, ' ')
      if (!line.endsWith('\\')) {
        found.push({ command: pending.replace(/\s+#.*$/, '').trim() })
        pending = ''
      }
    }
  }
  return found
}

/**
 * Whether `actual` has the shape the README shows: a value with `…` stands for any string starting as it
 * does, a number for any number, the keys of an object are the same, and anything else is itself.
 */
function fits (shown: unknown, actual: unknown): boolean {
  if (typeof shown === 'string' && shown.includes('…')) return typeof actual === 'string' && actual.startsWith(shown.slice(0, shown.indexOf('…')))
  if (typeof shown === 'number') return typeof actual === 'number'
  if (Array.isArray(shown)) return Array.isArray(actual) && shown.length === actual.length && shown.every((item, index) => fits(item, actual[index]))
  if (typeof shown === 'object' && shown !== null) {
    if (typeof actual !== 'object' || actual === null) return false
    const keys = Object.keys(shown).sort()
    return JSON.stringify(keys) === JSON.stringify(Object.keys(actual).sort()) &&
      keys.every((key) => fits((shown as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key]))
  }
  return shown === actual
}

t.test('the README\'s token exchange runs as written: its CLI lines, its curl commands, their answers and the decoded token', async (t) => {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const env = testEnv({ DATABASE_URL: `sqlite:${join(t.testdir(), 'tollgate.db')}`, PUBLIC_URL: origin })
  const text = section()
  const [shell = ''] = blocks(text, 'sh')
  const steps = commands(shell)
  const variables: Record<string, string> = {}

  for (const { command } of steps.filter((step) => step.command.startsWith('npx tollgate '))) {
    const argv = command.slice('npx tollgate '.length).split(/\s+/)
    const added = await cli(argv, env)
    t.equal(added.code, 0, `${command}: ${added.stderr}`)
    variables[`${(argv[2] ?? '').toUpperCase()}_SECRET`] = added.stdout.trim()
  }

  const tollgate = await startTollgate(t, env, port)
  variables.USER_TOKEN = await login(tollgate.app, await createUser(tollgate.app, 'alice', ['customer']))
  const curls = steps.filter((step) => step.command.startsWith('curl '))
  t.equal(curls.length, 2, 'two exchanges: the gateway\'s and billing\'s')
  let issued = ''
  for (const [index, { command, answer }] of curls.entries()) {
    const { stdout } = await run('bash', ['-c', command.replaceAll('http://127.0.0.1:3000', origin)], { env: { ...process.env, ...variables } })
    const body = JSON.parse(stdout)
    t.ok(fits(JSON.parse(answer ?? 'null'), body), `answer ${index + 1} is as shown`, { shown: answer, got: body })
    issued = body.access_token
    // What the gateway got is what it sends billing.
    variables.BILLING_TOKEN = issued
  }

  const [decoded = ''] = blocks(text, 'json')
  const shown = JSON.parse(decoded.replaceAll('http://127.0.0.1:3000', origin))
  const { payload } = decodeJwt(issued)
  t.ok(fits(shown, payload), 'the decoded token is as shown', { shown, got: payload })
  t.same(payload.act, shown.act)
})
