import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { generateKeyPair, keyFileList } from '@tollgate/auth/tokens/keys'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import type { Environment } from '../src/config/environment.js'
import { cliError, quote, usageError, type CliIo, type Command } from './command.js'

const ALGORITHMS: readonly AsymmetricAlgorithm[] = ['ES256', 'RS256', 'EdDSA']
const DEFAULT_DIR = 'keys'

function parseAlgorithm (value: string | boolean | undefined): AsymmetricAlgorithm {
  const choices = 'ES256, RS256 or EdDSA'
  if (typeof value !== 'string') throw usageError(`keys generate: --alg is required: ${choices}`, keysGenerateCommand)
  const algorithm = ALGORITHMS.find((candidate) => candidate.toLowerCase() === value.toLowerCase())
  if (algorithm !== undefined) return algorithm
  if (/^HS\d+$/i.test(value)) throw usageError(`keys generate: ${value} signs with JWT_SECRET, not a key pair: \`tollgate secret\` makes one`, keysGenerateCommand)
  throw usageError(`keys generate: unknown algorithm ${quote(value)}; --alg takes ${choices}`, keysGenerateCommand)
}

/**
 * The variables the server would read, without the side effects of loading them (a first run's secret is
 * not written to `.env` by a command that does not need it).
 */
export function currentEnvironment (io: CliIo): Environment {
  if (io.env !== undefined) return io.env
  const file = resolve('.env')
  const env: Environment = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}
  for (const [name, value] of Object.entries(process.env)) if (value !== '' || env[name] === undefined) env[name] = value
  return env
}

/** Creates `file` with exactly `mode` (whatever the umask), refusing to replace anything already there. */
function writeNew (file: string, content: string, mode: number): void {
  const fd = openSync(file, 'wx', mode)
  try {
    fchmodSync(fd, mode)
    writeFileSync(fd, content)
  } finally {
    closeSync(fd)
  }
}

export function writeKeyPair (dir: string, kid: string, privatePem: string, publicPem: string): { privateFile: string, publicFile: string } {
  const privateFile = join(dir, `${kid}.private.pem`)
  const publicFile = join(dir, `${kid}.public.pem`)
  const existing = [privateFile, publicFile].find((file) => existsSync(file))
  if (existing !== undefined) throw cliError(`${quote(existing)} already exists; nothing was written`)
  try {
    // Only the owner may list the keys of a folder made here.
    if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(dir, 0o700)
    writeNew(privateFile, privatePem, 0o600)
  } catch (error) {
    throw cliError(`cannot write the key into ${quote(dir)}: ${error instanceof Error ? error.message : String(error)}`)
  }
  try {
    writeNew(publicFile, publicPem, 0o644)
  } catch (error) {
    // Half a pair is of no use: take back the private key this command wrote a moment ago.
    unlinkSync(privateFile)
    throw cliError(`cannot write the key into ${quote(dir)}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return { privateFile, publicFile }
}

/** How to keep the key in use now verifying the tokens it signed, from what the server is configured with. */
function retirementAdvice (env: Environment, algorithm: AsymmetricAlgorithm): string[] {
  const current = env.JWT_PRIVATE_KEY_FILE
  const currentAlgorithm = env.JWT_ALGORITHM ?? 'HS256'
  if (currentAlgorithm !== algorithm) {
    return [
      `Tokens signed under JWT_ALGORITHM=${currentAlgorithm} stop verifying once it becomes ${algorithm}: their holders need new ones.`,
      `When a later ${algorithm} key replaces this one, list this one's file in JWT_RETIRED_KEY_FILES (comma-separated).`
    ]
  }
  const retired = keyFileList(env.JWT_RETIRED_KEY_FILES)
  if (current !== undefined && current !== '' && !retired.includes(current)) retired.push(current)
  return [
    'To retire the key it replaces, so the tokens that key signed keep verifying until they expire, also set:',
    `  JWT_RETIRED_KEY_FILES=${retired.length === 0 ? '<the old key\'s .pem file>' : retired.join(',')}`,
    'and take the old key out of that list once the server logs that its tokens have all expired.',
    '',
    'Better, so that no verifier meets a key it has not fetched: publish it before it signs. Set only',
    '  JWT_NEXT_KEY_FILE=<the private key above>',
    'restart every instance, and run `tollgate keys rotate` once relying services have fetched the key set.'
  ]
}

export const keysGenerateCommand: Command = {
  name: 'keys generate',
  synopsis: '--alg ES256|RS256|EdDSA [--out DIR]',
  summary: `Write a new signing key pair into DIR (./${DEFAULT_DIR}); prints the .env lines for it`,
  options: { alg: { type: 'string' }, out: { type: 'string' } },
  async run ({ values, io }) {
    const algorithm = parseAlgorithm(values.alg)
    const dir = resolve(typeof values.out === 'string' ? values.out : DEFAULT_DIR)
    const { privatePem, publicPem, kid } = generateKeyPair(algorithm)
    const { privateFile, publicFile } = writeKeyPair(dir, kid, privatePem, publicPem)
    io.stdout.write([
      `Wrote a new ${algorithm} key pair, kid ${kid}:`,
      `  ${privateFile}  (private, mode 0600: keep it secret)`,
      `  ${publicFile}  (public)`,
      '',
      'To sign with it, set in .env (or the environment) and restart the server:',
      `  JWT_ALGORITHM=${algorithm}`,
      `  JWT_PRIVATE_KEY_FILE=${privateFile}`,
      '',
      ...retirementAdvice(currentEnvironment(io), algorithm),
      ''
    ].join('\n'))
  }
}
