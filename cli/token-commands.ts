import { pino } from 'pino'
import { issueTokensFor } from '../src/sessions/bulk-tokens.js'
import { auditTokensIssued } from '../src/http/audit.js'
import { cliError, quote, type Command } from './command.js'

/** A whole number from an option, or the fallback when it is absent. */
function wholeNumber (name: string, value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined
  if (!/^\d{1,9}$/.test(value)) throw cliError(`--${name} takes a whole number, not ${quote(value)}`)
  return Number(value)
}

export const tokenCommands: Command[] = [
  {
    name: 'token issue',
    synopsis: '--user <username> [--count N] [--ttl SECONDS]',
    summary: 'Print N access tokens for a user, one a line, for load tests (audit-logged on stderr)',
    options: { user: { type: 'string' }, count: { type: 'string' }, ttl: { type: 'string' } },
    async run ({ values, io, openCore }) {
      if (typeof values.user !== 'string') throw cliError('token issue needs --user <username>')
      const count = wholeNumber('count', values.count) ?? 1
      const ttlSeconds = wholeNumber('ttl', values.ttl)
      const core = await openCore()
      const user = await core.users.findByUsername(values.user)
      if (user === undefined) throw cliError(`no user named ${quote(values.user)}`)
      const tokens = issueTokensFor(core.tokens, core.revocations.list, user, { count, ttlSeconds })
      // One JSON line on stderr, like the server's audit lines: stdout is the tokens alone.
      auditTokensIssued(pino({ base: undefined }, io.stderr), user, count, ttlSeconds ?? core.config.ACCESS_TOKEN_TTL, core.config.JWT_ISSUER)
      io.stdout.write(`${tokens.join('\n')}\n`)
    }
  }
]
