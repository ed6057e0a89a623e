// Starts the built server of the checkout given as argument, as the README's tour does, and gets a token
// with each grant a newcomer tries first: a password grant as the first admin, and a client-credentials
// grant for a client added with the CLI. Then stops it with SIGTERM. Prints one line a step; exits 1 on
// the first that fails. Run by scripts/node-lines.sh on each supported Node.js line.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const tree = process.argv[2]
const cwd = mkdtempSync(join(tmpdir(), 'tollgate-smoke-'))
const password = 'smoke test on ' + process.version
const env = {
  PATH: process.env.PATH,
  HOST: '127.0.0.1',
  PORT: '0',
  METRICS_PORT: '0',
  LOG_LEVEL: 'info',
  JWT_SECRET: 'a smoke-test secret of at least 32 bytes',
  DATABASE_URL: `sqlite:${join(cwd, 'tollgate.db')}`,
  TOLLGATE_ADMIN_PASSWORD: password
}

const server = spawn(process.execPath, [join(tree, 'dist', 'server.js')], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] })
let output = ''
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the server did not listen within 30 s:\n${output}`)), 30_000)
  server.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
    if (match !== null) { clearTimeout(timer); resolve(match[1]) }
  })
  server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited with ${code}:\n${output}`)) })
})
const exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)))
console.log(`${process.version}: listening at ${url}`)

try {
  const grant = async (body, headers = {}) => {
    const response = await fetch(`${url}/auth/token`, { method: 'POST', headers, body: new URLSearchParams(body) })
    const answer = await response.json()
    if (response.status !== 200 || typeof answer.access_token !== 'string') throw new Error(`${body.grant_type} grant: ${response.status} ${JSON.stringify(answer)}`)
    return answer.access_token
  }
  const userToken = await grant({ grant_type: 'password', username: 'admin', password })
  const me = await fetch(`${url}/users/me`, { headers: { authorization: `Bearer ${userToken}` } })
  if (me.status !== 200) throw new Error(`GET /users/me with the password grant's token: ${me.status}`)
  console.log('password grant: a token that GET /users/me accepts')

  const { stdout: secret } = await promisify(execFile)(process.execPath, [join(tree, 'dist', 'cli.js'), 'client', 'add', 'billing', '--scopes', 'users:read'], { cwd, env })
  const basic = Buffer.from(`billing:${secret.trim()}`).toString('base64')
  // Without Redis a running server may learn of a client the CLI added only at its next database poll.
  for (let deadline = Date.now() + 5000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
    try {
      await grant({ grant_type: 'client_credentials', scope: 'users:read' }, { authorization: `Basic ${basic}` })
      break
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
  }
  console.log('client-credentials grant: a token for a client added with the CLI')
} finally {
  server.kill('SIGTERM')
  const code = await exited
  rmSync(cwd, { recursive: true, force: true })
  if (code !== 0) { console.error(`the server exited with ${code} on SIGTERM`); process.exitCode = 1 }
}
