import type { Readable, Writable } from 'node:stream'
import type { Environment } from '../src/config/environment.js'
import type { Core } from '../src/core.js'
import { TollgateError } from '@tollgate/auth/errors'

/** The streams and environment the CLI works with: the process's own, or fakes in tests. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean, setRawMode?: (mode: boolean) => unknown }
  stdout: Writable
  stderr: Writable
  /** The variables to configure from; when absent they are read like the server does (environment and `.env`). */
  env?: Environment
}

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
}

export interface CommandContext {
  /** The arguments after the command's name, in order; their count has been checked. */
  positionals: string[]
  values: Record<string, string | boolean | undefined>
  io: CliIo
  /** Opens the core on first use (the database, migrated; Redis only if a revocation is published); closed when the command ends. */
  openCore: () => Promise<Core>
}

export interface Command {
  /** The words that select it, e.g. `user add`. */
  name: string
  /** Shown after the name in the help, e.g. `<username> [--roles a,b]`. */
  synopsis?: string
  summary: string
  /** Names of the required arguments, in order; no more are accepted. */
  positionals?: string[]
  options?: Record<string, OptionSpec>
  run: (context: CommandContext) => Promise<void>
}

/** A failure the user can act on: printed as one line, never with a stack trace. */
export const cliError = (message: string): TollgateError => new TollgateError('ERR_INVALID_ARGUMENT', message)

/** A command line that does not parse. */
export const usageError = (message: string, command?: Pick<Command, 'name'>): TollgateError =>
  new TollgateError('ERR_USAGE', `${message} (see \`tollgate ${command === undefined ? '' : `${command.name} `}--help\`)`)

/** The exit code for a failure: 2 for a command line that does not parse, like most Unix tools; 130 for Ctrl-C. */
export function exitCodeFor (error: unknown): number {
  if (!(error instanceof TollgateError)) return 1
  return error.code === 'ERR_USAGE' ? 2 : error.code === 'ERR_CANCELLED' ? 130 : 1
}

/** A user-supplied value inside a message: quoted, with control characters escaped so it stays one line. */
export const quote = (value: string): string => JSON.stringify(value)
