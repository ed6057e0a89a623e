import { userInfo } from 'node:os'
import { pino, type Logger } from 'pino'
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
 * The command line has no server log to write to: its audit events go to standard error as the server's
 * JSON lines would, at the configured LOG_LEVEL, so a wrapper can collect them and `silent` stops them.
 * Standard output stays the command's own answer.
 */
export function cliAuditLog (io: CliIo, level: string): Logger {
  return pino({ level, base: { source: 'cli' } }, io.stderr)
}
