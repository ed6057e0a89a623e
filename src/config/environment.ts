import { randomBytes } from 'node:crypto'
import { appendFileSync, chmodSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'

export type Environment = Record<string, string | undefined>

export interface LoadedEnvironment {
  env: Environment
  /** Human-readable lines about what the first run did (never containing a secret). */
  notices: string[]
}

/**
 * Reads `.env` under the real environment (real variables win unless empty), and on a first run outside production
 * writes a fresh 256-bit `JWT_SECRET` into `.env` with mode 0600, so `npm start` works on a fresh clone
 * without a secret ever being committed or printed.
 */
export function loadEnvironment (cwd: string = process.cwd(), processEnv: Environment = process.env): LoadedEnvironment {
  const file = join(cwd, '.env')
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}
  const env: Environment = { ...fromFile }
  // Real variables win, except an empty one over a value in .env: `JWT_SECRET=${JWT_SECRET}` in a compose
  // file gives an empty variable, and a fresh secret would be written and replaced on every start.
  for (const [name, value] of Object.entries(processEnv)) {
    if (value !== '' || fromFile[name] === undefined) env[name] = value
  }
  const notices: string[] = []

  const usesSecret = (env.JWT_ALGORITHM ?? 'HS256').startsWith('HS')
  if (env.NODE_ENV !== 'production' && usesSecret && !env.JWT_SECRET) {
    env.JWT_SECRET = generateSecret()
    const separator = existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') ? '\n' : ''
    appendFileSync(file, `${separator}JWT_SECRET=${env.JWT_SECRET}\n`, { mode: 0o600 })
    chmodSync(file, 0o600)
    notices.push(`No JWT_SECRET was set: generated a random 256-bit secret and saved it to ${file} (mode 0600).`)
  }
  return { env, notices }
}

/** A random 256-bit secret, base64url-encoded (43 characters). */
export function generateSecret (): string {
  return randomBytes(32).toString('base64url')
}
