import type { Test } from 'tap'
import { cli } from '../cli/run-cli.js'
import { PASSWORD, testEnv } from '../helper.js'
import { freePort } from '../support/free-port.js'
import { startTollgate, type ListeningTollgate } from '../support/processes.js'
import { writeKeyPair } from './keys.js'

export interface Deployment {
  tollgate: ListeningTollgate
  issuer: string
  /** The secret of `orders-api`, a client with the `revocations` permission. */
  secret: string
  /** The secrets of the other clients asked for, by id, each without permissions. */
  secrets: Record<string, string>
  env: Record<string, string>
  cwd: string
}

/**
 * Tollgate in its own process signing ES256, on a port fixed up front (its issuer URL names it), with the
 * user `alice`, the feed client `orders-api` and `otherClients`, all made before it starts.
 */
export async function deploy (t: Test, otherClients: string[] = []): Promise<Deployment> {
  const cwd = t.testdir({})
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const key = writeKeyPair(cwd, 'ES256')
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${cwd}/tollgate.db`,
    PORT: String(port),
    PUBLIC_URL: issuer,
    JWT_ALGORITHM: 'ES256',
    JWT_PRIVATE_KEY_FILE: key.privateFile,
    LOGIN_RATE_LIMIT: '1000'
  }
  const added = await cli(['client', 'add', 'orders-api', '--permissions', 'revocations'], testEnv(env))
  t.equal(added.code, 0, added.stderr)
  t.equal((await cli(['user', 'add', 'alice'], testEnv(env), `${PASSWORD}\n`)).code, 0)
  const secrets: Record<string, string> = {}
  for (const id of otherClients) secrets[id] = (await cli(['client', 'add', id], testEnv(env))).stdout.trim()
  const tollgate = await startTollgate(t, { env, cwd })
  return { tollgate, issuer, secret: added.stdout.trim(), secrets, env, cwd }
}

/** Alice's access token, from a login on the deployment. */
export async function logIn (issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: PASSWORD }) })
  return (await response.json() as { access_token: string }).access_token
}
