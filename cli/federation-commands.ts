import { resolve } from 'node:path'
import { DEFAULT_MAX_LIFETIME_SECONDS, type TrustedIssuer } from '../src/clients/trusted-issuers-repository.js'
import { auditSettingChange } from './audit-log.js'
import { cliError, quote, type Command } from './command.js'
import { printTable } from './table.js'

/** `--max-lifetime`: whole seconds (the store checks the range). */
function parseLifetime (value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_MAX_LIFETIME_SECONDS
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw cliError(`--max-lifetime takes whole seconds, not ${quote(String(value))}`)
  return Number(value)
}

const text = (value: string | boolean | undefined): string | undefined => typeof value === 'string' ? value : undefined

const keysOf = (issuer: TrustedIssuer): string => issuer.jwksFile !== undefined
  ? `file ${issuer.jwksFile}`
  : issuer.jwksUri ?? 'discovered'

/**
 * Workload identity federation: the issuers whose workload tokens (Kubernetes service-account tokens,
 * SPIFFE JWT-SVIDs, CI OIDC tokens) authenticate clients bound to them with `client add --federated`.
 * Running servers read a change within their sync interval.
 */
export const federationCommands: Command[] = [
  {
    name: 'federation add',
    synopsis: '<name> --issuer <URL> [--jwks-uri <URL> | --jwks-file <FILE>] [--max-lifetime <SECONDS>]',
    summary: 'Trust an issuer of workload tokens; without --jwks-uri or --jwks-file its keys are found from its metadata',
    positionals: ['name'],
    options: { issuer: { type: 'string' }, 'jwks-uri': { type: 'string' }, 'jwks-file': { type: 'string' }, 'max-lifetime': { type: 'string' } },
    async run ({ positionals: [name = ''], values, io, openCore }) {
      const issuer = text(values.issuer)
      if (issuer === undefined) throw cliError('federation add needs --issuer, the iss its tokens carry')
      const jwksUri = text(values['jwks-uri'])
      const file = text(values['jwks-file'])
      const maxLifetime = parseLifetime(values['max-lifetime'])
      const core = await openCore()
      const added = await core.clients.federation.issuers.add({
        name,
        issuer,
        jwksUri,
        // Kept absolute: the server reading it may run from another directory.
        jwksFile: file === undefined ? undefined : resolve(file),
        maxLifetime
      })
      auditSettingChange(io, core, 'admin.federation.add', { issuer: added.name, iss: added.issuer, keys: keysOf(added), maxLifetime }, 'trusted issuer added')
      io.stdout.write(`${added.name} trusted: tokens with iss ${added.issuer}, keys ${keysOf(added)}, lifetime at most ${added.maxLifetime} s\n`)
    }
  },
  {
    name: 'federation list',
    summary: 'List the trusted issuers of workload tokens: name, issuer, where their keys are, max lifetime',
    async run ({ io, openCore }) {
      const issuers = await (await openCore()).clients.federation.issuers.list()
      printTable(io, ['NAME', 'ISSUER', 'KEYS', 'MAX LIFETIME'], issuers.map((issuer) => [issuer.name, issuer.issuer, keysOf(issuer), String(issuer.maxLifetime)]))
    }
  },
  {
    name: 'federation remove',
    synopsis: '<name>',
    summary: 'Stop trusting an issuer; refused while clients are bound to it',
    positionals: ['name'],
    async run ({ positionals: [name = ''], io, openCore }) {
      const core = await openCore()
      if (!await core.clients.federation.issuers.remove(name)) throw cliError(`no trusted issuer ${quote(name)}`)
      auditSettingChange(io, core, 'admin.federation.remove', { issuer: name }, 'trusted issuer removed')
      io.stdout.write(`${name} is no longer trusted\n`)
    }
  }
]
