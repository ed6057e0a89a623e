import { parseArgs } from 'node:util'
import type { Redis } from 'ioredis'
import { loadEnvironment } from '../src/config/environment.js'
import { parseConfig } from '../src/config/parse-config.js'
import { openCore, type Core } from '../src/core.js'
import { closeRedisClient, createOneShotRedisClient } from '../src/redis-client.js'
import { clientCommands } from './client-commands.js'
import { federationCommands } from './federation-commands.js'
import { cliError, exitCodeFor, quote, usageError, type CliIo, type Command, type OptionSpec } from './command.js'
import { renderCommandHelp, renderHelp } from './help.js'
import { keysGenerateCommand } from './keys-command.js'
import { keysRotateCommand } from './keys-rotate-command.js'
import { migrateCommand } from './migrate-command.js'
import { secretCommand } from './secret-command.js'
import { tokenCommands } from './token-commands.js'
import { userCommands } from './user-commands.js'

const helpCommand: Command = {
  name: 'help',
  summary: 'List these commands',
  async run ({ io }) {
    io.stdout.write(renderHelp(commands))
  }
}

/** Every command, in the order the help lists them. A group (`user`, …) is the first word of its commands. */
export const commands: Command[] = [...userCommands, ...clientCommands, ...federationCommands, ...tokenCommands, keysGenerateCommand, keysRotateCommand, secretCommand, migrateCommand, helpCommand]

const HELP_OPTION: Record<string, OptionSpec> = { help: { type: 'boolean', short: 'h' } }
const isHelpFlag = (arg: string | undefined): boolean => arg === '--help' || arg === '-h'

/**
 * Runs one `tollgate` command line and returns the exit code: 0 on success, 2 for a command line that
 * does not parse, 1 for anything else. Every failure is one line on stderr starting with `tollgate: `.
 */
export async function runCli (argv: string[], io: CliIo): Promise<number> {
  let opened: Opened | undefined
  try {
    const selected = selectCommand(argv)
    if (typeof selected === 'string') {
      io.stdout.write(selected)
      return 0
    }
    const { command, args } = selected
    const { positionals, values } = parseCommandLine(command, args)
    if (values.help === true && command !== helpCommand) {
      io.stdout.write(renderCommandHelp(command))
      return 0
    }
    await command.run({ positionals, values, io, openCore: async () => (opened ??= await openForCommand(io)).core })
    return 0
  } catch (error) {
    io.stderr.write(`tollgate: ${describe(error)}\n`)
    return exitCodeFor(error)
  } finally {
    await closeQuietly(opened)
  }
}

/** The command named by the leading words, and the arguments after them; or a help text to print. */
function selectCommand (argv: string[]): { command: Command, args: string[] } | string {
  const [first, second] = argv
  if (first === undefined) throw usageError('no command given')
  if (isHelpFlag(first)) return { command: helpCommand, args: argv.slice(1) }
  if (first.startsWith('-')) throw usageError(`unknown option ${quote(first)}`)

  const command = commands.find((candidate) => candidate.name === `${first} ${second}`) ??
    commands.find((candidate) => candidate.name === first)
  if (command !== undefined) return { command, args: argv.slice(command.name.split(' ').length) }

  const group = commands.filter((candidate) => candidate.name.startsWith(`${first} `))
  if (group.length === 0) throw usageError(`unknown command ${quote(first)}`)
  if (argv.slice(1).some(isHelpFlag)) return renderHelp(group)
  const choices = group.map((candidate) => candidate.name.slice(first.length + 1)).join(', ')
  if (second === undefined || second.startsWith('-')) throw usageError(`${first} needs a command: ${choices}`)
  throw usageError(`unknown command ${quote(`${first} ${second}`)}; ${first} has ${choices}`)
}

function parseCommandLine (command: Command, args: string[]) {
  let parsed
  try {
    parsed = parseArgs({ args, options: { ...command.options, ...HELP_OPTION }, allowPositionals: true, strict: true })
  } catch (error) {
    // node:util's messages go on with advice about `--`; the first sentence names the problem.
    const message = error instanceof Error ? error.message.split(/\.(?:\s|$)/)[0]! : String(error)
    throw usageError(`${command.name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`, command)
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  const expected = command.positionals ?? []
  if (values.help !== true) {
    const missing = expected.slice(parsed.positionals.length)
    if (missing.length > 0) throw usageError(`${command.name}: missing ${missing.map((name) => `<${name}>`).join(' ')}`, command)
    const extra = parsed.positionals[expected.length]
    if (extra !== undefined) throw usageError(`${command.name}: unexpected argument ${quote(extra)}`, command)
  }
  return { positionals: parsed.positionals, values }
}

/** Builds the app the way the server does, so the CLI sees the same store and settings. */
interface Opened { core: Core, redis?: Redis }

/**
 * The core a command works on: the same configuration and store as the server, and no listener,
 * subscription or timer. Redis, when configured, is connected only if the command publishes a revocation.
 */
async function openForCommand (io: CliIo): Promise<Opened> {
  let env = io.env
  if (env === undefined) {
    const loaded = loadEnvironment()
    for (const notice of loaded.notices) io.stderr.write(`tollgate: ${notice}\n`)
    env = loaded.env
  }
  let redis: Redis | undefined
  try {
    const config = parseConfig(env)
    redis = config.REDIS_URL === undefined ? undefined : createOneShotRedisClient(config.REDIS_URL)
    const core = await openCore(config, redis === undefined ? {} : { redis })
    const opened = { core, ...(redis === undefined ? {} : { redis }) }
    try {
      // Cut-offs follow the ones already recorded, so a command reads them once.
      await core.revocations.store.sync()
    } catch (error) {
      await closeQuietly(opened)
      throw error
    }
    return opened
  } catch (error) {
    if (redis !== undefined) redis.disconnect()
    throw cliError(`cannot start: ${describe(error)}`)
  }
}

async function closeQuietly (opened: Opened | undefined): Promise<void> {
  try {
    await opened?.core.close()
    if (opened?.redis !== undefined) await closeRedisClient(opened.redis)
  } catch {
    // The command's own outcome is what the user needs to hear about.
  }
}

/** One line, whatever was thrown: a message and never a stack trace. */
function describe (error: unknown): string {
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) return describe(error.errors[0])
  const message = error instanceof Error ? (error.message || error.name) : String(error)
  return message.split('\n')[0]!
}
