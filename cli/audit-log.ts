import { userInfo } from 'node:os'
import { pino } from 'pino'
import type { Core } from '../src/core.js'
import { auditAccountChange, type AccountChange, type ClientChange } from '../src/http/account-audit.js'
import type { CliIo } from './command.js'

/** Who made a change from the command line: the operating-system account that ran it. */
export function operator (): string {
  try {
    return `cli:${userInfo().username}`
  } catch {
    // An account without a passwd entry (some containers) is still an operator.
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`
  }
}

/**
 * Logs a change a command made, by the operator. The command line has no server log to write to: its
 * audit events go to standard error as the server's JSON lines would, at the configured LOG_LEVEL, so a
 * wrapper can collect them and `silent` stops them. Standard output stays the command's own answer.
 */
export function auditCommand (io: CliIo, core: Core, event: string, change: Omit<AccountChange, 'by'> | Omit<ClientChange, 'by'>, message: string): void {
  auditAccountChange(cliLog(io, core), event, { by: operator(), ...change }, message)
}

const cliLog = (io: CliIo, core: Core) => pino({ level: core.config.LOG_LEVEL, base: { source: 'cli' } }, io.stderr)

/** A change to something other than an account (a trusted issuer, a client's binding), logged the same way. */
export function auditSettingChange (io: CliIo, core: Core, event: string, fields: Record<string, unknown>, message: string): void {
  cliLog(io, core).info({ event, outcome: 'success', by: operator(), ...fields }, message)
}
