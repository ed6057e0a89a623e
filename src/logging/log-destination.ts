import type { DestinationStream } from 'pino'
import PinoPretty from 'pino-pretty'
import type { Environment } from '../config/environment.js'

/** The one property of the standard output this looks at, besides writing to it. */
export type Output = NodeJS.WritableStream & { isTTY?: boolean }

/**
 * Where the server's log lines go. Outside production and on a terminal, someone is reading them: one
 * readable line per event (time, level, message, then the event's fields), warnings such as the
 * first-run notices in colour. Anywhere else (production, a pipe, a file, a log collector) undefined:
 * pino's JSON, one object a line. Redaction happens before either, in the logger itself.
 */
export function logDestination (env: Environment, stdout: Output = process.stdout): DestinationStream | undefined {
  if (env.NODE_ENV === 'production' || stdout.isTTY !== true) return undefined
  return PinoPretty({
    destination: stdout,
    // In order with what the server writes to the terminal itself (the first admin's password).
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname'
  })
}
