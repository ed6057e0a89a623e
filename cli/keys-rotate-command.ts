import { existsSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { generateKeyPair, keyFileList, loadPublicKey, loadSigningKey, readKeyFile } from '@tollgate/auth/tokens/keys'
import { updateEnvFile } from '../src/config/env-file.js'
import type { Environment } from '../src/config/environment.js'
import { cliError, type CliIo, type Command } from './command.js'
import { currentEnvironment, writeKeyPair } from './keys-command.js'

/** The variables a rotation changes. */
const ROTATED = ['JWT_PRIVATE_KEY_FILE', 'JWT_NEXT_KEY_FILE', 'JWT_RETIRED_KEY_FILES'] as const
type Rotated = typeof ROTATED[number]

interface Source {
  env: Environment
  /** The `.env` to update; undefined when the variables come from elsewhere, which `.env` would not override. */
  envFile: string | undefined
  /** Why `.env` is left alone, when it is. */
  reason?: string
}

function configurationSource (io: CliIo): Source {
  if (io.env !== undefined) return { env: io.env, envFile: undefined }
  const inEnvironment = ROTATED.filter((name) => (process.env[name] ?? '') !== '')
  if (inEnvironment.length > 0) {
    return { env: currentEnvironment(io), envFile: undefined, reason: `${inEnvironment.join(', ')} ${inEnvironment.length === 1 ? 'is' : 'are'} set in the environment, which wins over .env` }
  }
  return { env: currentEnvironment(io), envFile: resolve('.env') }
}

function required (env: Environment, name: 'JWT_PRIVATE_KEY_FILE' | 'JWT_NEXT_KEY_FILE', why: string): string {
  const value = env[name]
  if (value === undefined || value === '') throw cliError(`keys rotate: ${name} is not set: ${why}`)
  return value
}

/**
 * The file to keep a retired key in: its public half when `keys generate` wrote one beside it, since
 * verifying needs no private key; the file itself otherwise.
 */
function retiredFileFor (file: string, algorithm: AsymmetricAlgorithm, kid: string): string {
  const publicFile = file.replace(/\.private\.pem$/, '.public.pem')
  if (publicFile === file || !existsSync(publicFile)) return file
  return readKeyFile('JWT_PRIVATE_KEY_FILE', publicFile, (pem) => loadPublicKey(algorithm, pem)).kid === kid ? publicFile : file
}

export const keysRotateCommand: Command = {
  name: 'keys rotate',
  synopsis: '[--out DIR]',
  summary: 'Sign with the next key, retire the current one, and write a new next key into DIR (the next key\'s folder); updates .env',
  options: { out: { type: 'string' } },
  async run ({ values, io }) {
    const { env, envFile, reason } = configurationSource(io)
    const algorithm = env.JWT_ALGORITHM ?? 'HS256'
    if (algorithm !== 'RS256' && algorithm !== 'ES256' && algorithm !== 'EdDSA') {
      throw cliError(`keys rotate: JWT_ALGORITHM is ${algorithm}, which has no key pair to rotate (\`tollgate keys generate\` makes one)`)
    }
    const currentFile = required(env, 'JWT_PRIVATE_KEY_FILE', `${algorithm} signs with it`)
    const nextFile = required(env, 'JWT_NEXT_KEY_FILE', 'there is no published key to switch to. Write one with `tollgate keys generate`, ' +
      'set JWT_NEXT_KEY_FILE to its private key, restart every instance, and rotate once relying services have fetched the key set')
    const current = readKeyFile('JWT_PRIVATE_KEY_FILE', currentFile, (pem) => loadPublicKey(algorithm, pem))
    const next = readKeyFile('JWT_NEXT_KEY_FILE', nextFile, (pem) => loadSigningKey(algorithm, pem))
    if (next.kid === current.kid) throw cliError('keys rotate: JWT_NEXT_KEY_FILE names the key that signs now: nothing to switch to')

    const fresh = generateKeyPair(algorithm)
    const dir = resolve(typeof values.out === 'string' ? values.out : dirname(resolve(nextFile)))
    // Relative to the working directory, like the paths an operator writes and `keys generate` prints.
    const privateFile = relative(process.cwd(), writeKeyPair(dir, fresh.kid, fresh.privatePem, fresh.publicPem).privateFile)
    const retiredFile = retiredFileFor(currentFile, algorithm, current.kid)
    const settings: Record<Rotated, string> = {
      JWT_PRIVATE_KEY_FILE: nextFile,
      JWT_NEXT_KEY_FILE: privateFile,
      JWT_RETIRED_KEY_FILES: [...keyFileList(env.JWT_RETIRED_KEY_FILES).filter((file) => file !== nextFile && file !== currentFile && file !== retiredFile), retiredFile].join(',')
    }
    if (envFile !== undefined) updateEnvFile(envFile, settings)

    io.stdout.write([
      `Rotated the ${algorithm} signing keys:`,
      `  signs now  kid ${next.kid}  ${nextFile}`,
      '             (the next key until now: published since the last restart, so verifiers hold it already)',
      `  retired    kid ${current.kid}  ${retiredFile}`,
      '             (verifies the tokens it signed until they expire, then leaves the key set)',
      `  next       kid ${fresh.kid}  ${privateFile}`,
      '             (new, mode 0600: published from the next restart, signs at the next rotation)',
      '',
      envFile === undefined
        ? `${reason === undefined ? 'Set' : `${reason}: set`} these on every instance:`
        : `Updated ${envFile}:`,
      ...ROTATED.map((name) => `  ${name}=${settings[name]}`),
      '',
      'Restart every instance to switch. Rotate again only once relying services have fetched the key set after',
      'that restart (tollgateAuth fetches it at least every 10 minutes): then the new next key is held everywhere before it signs.',
      ''
    ].join('\n'))
  }
}
