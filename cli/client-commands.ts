import { readFileSync } from 'node:fs'
import { parseClientKey, type ClientKey } from '../src/clients/client-keys.js'
import { CLIENT_PERMISSIONS, type Client, type ClientPermission } from '../src/clients/clients-repository.js'
import type { ClientSettings } from '../src/clients/client-administration.js'
import type { WorkloadBinding } from '../src/clients/clients-repository.js'
import type { Core } from '../src/core.js'
import { auditCommand, auditSettingChange } from './audit-log.js'
import { cliError, quote, type CliIo, type Command, type CommandContext } from './command.js'
import { printTable } from './table.js'

/** `a, b,a` → `['a', 'b']`; an empty list is allowed (a client that can only prove who it is). */
const parseList = (list: string): string[] => [...new Set(list.split(',').map((item) => item.trim()).filter((item) => item !== ''))]

function parsePermissions (list: string): ClientPermission[] {
  const names = parseList(list)
  const unknown = names.find((name) => !(CLIENT_PERMISSIONS as readonly string[]).includes(name))
  if (unknown !== undefined) throw cliError(`${quote(unknown)} is not a permission; --permissions takes ${CLIENT_PERMISSIONS.join(', ')}`)
  return names as ClientPermission[]
}

/** `--ttl`: whole seconds (the store checks the range), or `default` for ACCESS_TOKEN_TTL. */
function parseTtl (value: string): number | null {
  if (value === 'default') return null
  if (!/^\d{1,9}$/.test(value)) throw cliError(`--ttl takes whole seconds or "default", not ${quote(value)}`)
  return Number(value)
}

/** The options `client add` and `client update` share, as the settings they give. */
function settingsFrom (values: CommandContext['values']): ClientSettings {
  const text = (name: string): string | undefined => typeof values[name] === 'string' ? values[name] : undefined
  const [scopes, permissions, audiences, ttl, redirectUris] = [text('scopes'), text('permissions'), text('audiences'), text('ttl'), text('redirect-uris')]
  return {
    ...(values.public === true ? { public: true } : {}),
    ...(redirectUris === undefined ? {} : { redirectUris: parseList(redirectUris) }),
    ...(scopes === undefined ? {} : { scopes: parseList(scopes) }),
    ...(permissions === undefined ? {} : { permissions: parsePermissions(permissions) }),
    ...(audiences === undefined ? {} : { audiences: parseList(audiences) }),
    ...(ttl === undefined ? {} : { tokenTtl: parseTtl(ttl) })
  }
}

const SETTINGS_OPTIONS = {
  scopes: { type: 'string' },
  permissions: { type: 'string' },
  audiences: { type: 'string' },
  ttl: { type: 'string' },
  public: { type: 'boolean' },
  'redirect-uris': { type: 'string' },
  federated: { type: 'string' }
} as const

/** `--federated <issuer name>=<subject>`: the subject may itself hold `=` (a CI token's claims can). */
function parseBinding (value: string | boolean | undefined): WorkloadBinding | undefined {
  if (typeof value !== 'string') return undefined
  const equals = value.indexOf('=')
  if (equals <= 0 || equals === value.length - 1) throw cliError(`--federated takes <issuer name>=<subject>, not ${quote(value)}`)
  return { issuer: value.slice(0, equals), subject: value.slice(equals + 1) }
}

const workload = (binding: WorkloadBinding): string => `${binding.issuer}=${binding.subject}`

/** A client bound to a workload, as an audit line: who may now get its tokens is a change worth recording. */
function auditBinding (io: CliIo, core: Core, clientId: string, binding: WorkloadBinding): void {
  auditSettingChange(io, core, 'admin.client.federated', { clientId, issuer: binding.issuer, subject: binding.subject }, 'client bound to a workload')
}

function readKey (file: string): ClientKey {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw cliError(`cannot read ${quote(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  return parseClientKey(text)
}

/** Standard output carries the secret alone, so a script can capture it; the words for people go to stderr. */
function printSecret (io: CliIo, secret: string, note: string): void {
  io.stdout.write(`${secret}\n`)
  io.stderr.write(`${note} This secret is shown once and cannot be recovered: store it now.\n`)
}

const unknownClient = (clientId: string) => cliError(`no client ${quote(clientId)}`)

const describe = (client: Client): string => [
  client.scopes.length === 0 ? 'no scopes' : `the scopes ${client.scopes.join(',')}`,
  client.permissions.length === 0 ? '' : `, the permissions ${client.permissions.join(',')}`,
  client.audiences.length === 0 ? '' : `, the audiences ${client.audiences.join(',')}`,
  client.tokenTtl === undefined ? '' : `, tokens for ${client.tokenTtl} s`,
  client.redirectUris.length === 0 ? '' : `, the redirect URIs ${client.redirectUris.join(',')}`
].join('')

const authentication = (client: Client): string => {
  if (client.public) return 'public'
  if (client.federated !== undefined) return `workload ${workload(client.federated)}`
  return client.publicKey === undefined ? 'secret' : `key ${parseClientKey(client.publicKey).algorithm}`
}

export const clientCommands: Command[] = [
  {
    name: 'client add',
    synopsis: '<client_id> [--scopes a,b] [--audiences a,b] [--ttl SECONDS] [--public-key FILE | --federated NAME=SUBJECT | --public --redirect-uris URL,URL] [--permissions introspect,revocations,token-exchange]',
    summary: 'Create a client; prints its new secret once, with --public-key (PEM or JWK) uses private_key_jwt, with --federated its workload\'s own token, with --public none (authorization code with PKCE)',
    positionals: ['client_id'],
    options: { ...SETTINGS_OPTIONS, 'public-key': { type: 'string' } },
    async run ({ positionals: [clientId = ''], values, io, openCore }) {
      const file = values['public-key']
      const federated = parseBinding(values.federated)
      if (typeof file === 'string' && federated !== undefined) throw cliError('give --public-key or --federated, not both')
      const key = typeof file === 'string' ? readKey(file) : undefined
      const core = await openCore()
      const added = await core.clients.administration.add(clientId, { ...settingsFrom(values), ...(key === undefined ? {} : { key }), ...(federated === undefined ? {} : { federated }) })
      const { scopes, permissions, audiences, tokenTtl } = added.client
      auditCommand(io, core, 'admin.client.create', {
        clientId,
        scopes,
        permissions,
        audiences,
        tokenTtl: tokenTtl ?? null,
        authentication: added.client.public ? 'none' : federated !== undefined ? 'workload_federation' : key === undefined ? 'client_secret' : 'private_key_jwt'
      }, 'client created')
      const note = `Client ${added.client.id} created with ${describe(added.client)}`
      if (added.secret !== undefined) printSecret(io, added.secret, `${note}.`)
      else if (added.client.public) io.stdout.write(`${note}; it is public: no secret, authorization codes with PKCE and refresh tokens only\n`)
      else if (federated !== undefined) {
        auditBinding(io, core, clientId, federated)
        io.stdout.write(`${note}; it authenticates with the token of the workload ${workload(federated)}\n`)
      } else io.stdout.write(`${note}; it authenticates with private_key_jwt (${key?.algorithm ?? ''})\n`)
    }
  },
  {
    name: 'client list',
    summary: 'List every service client: id, authentication, scopes, audiences, token lifetime, permissions, disabled',
    async run ({ io, openCore }) {
      const core = await openCore()
      printTable(io, ['ID', 'AUTH', 'SCOPES', 'AUDIENCES', 'TTL', 'PERMISSIONS', 'DISABLED'], (await core.clients.repository.list()).map((client) => [
        client.id,
        authentication(client),
        client.scopes.join(',') || '-',
        client.audiences.join(',') || '-',
        client.tokenTtl === undefined ? 'default' : String(client.tokenTtl),
        client.permissions.join(',') || '-',
        client.disabled ? 'yes' : 'no'
      ]))
    }
  },
  {
    name: 'client update',
    synopsis: '<client_id> [--scopes a,b] [--audiences a,b] [--ttl SECONDS|default] [--permissions a,b] [--redirect-uris URL,URL] [--public] [--federated NAME=SUBJECT]',
    summary: 'Change what a client\'s tokens may carry or where its codes go, or bind it to a workload; new scopes, audiences, --public (which drops its secret or key) or a workload end the tokens it holds',
    positionals: ['client_id'],
    options: SETTINGS_OPTIONS,
    async run ({ positionals: [clientId = ''], values, io, openCore }) {
      const settings = settingsFrom(values)
      const federated = parseBinding(values.federated)
      if (Object.keys(settings).length === 0 && federated === undefined) throw cliError('client update needs --scopes, --audiences, --ttl, --permissions, --redirect-uris, --public or --federated')
      const core = await openCore()
      const { administration } = core.clients
      if (Object.keys(settings).length > 0) {
        if (!await administration.update(clientId, settings)) throw unknownClient(clientId)
        auditCommand(io, core, 'admin.client.update', { clientId, ...settings }, 'client updated')
      }
      if (federated !== undefined) {
        if (!await administration.bindWorkload(clientId, federated)) throw unknownClient(clientId)
        auditBinding(io, core, clientId, federated)
      }
      const client = await core.clients.repository.find(clientId)
      io.stdout.write(`${clientId} now has ${client === undefined ? 'its new settings' : describe(client)}\n`)
    }
  },
  {
    name: 'client disable',
    synopsis: '<client_id>',
    summary: 'Refuse a client new tokens; ends the tokens it holds',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      const core = await openCore()
      if (!await core.clients.administration.disable(clientId)) throw unknownClient(clientId)
      auditCommand(io, core, 'admin.client.update', { clientId, disabled: true }, 'client updated')
      io.stdout.write(`${clientId} is disabled; the tokens it held no longer work\n`)
    }
  },
  {
    name: 'client enable',
    synopsis: '<client_id>',
    summary: 'Let a disabled client obtain tokens again',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      const core = await openCore()
      if (!await core.clients.administration.enable(clientId)) throw unknownClient(clientId)
      auditCommand(io, core, 'admin.client.update', { clientId, disabled: false }, 'client updated')
      io.stdout.write(`${clientId} is enabled\n`)
    }
  },
  {
    name: 'client rotate-secret',
    synopsis: '<client_id>',
    summary: 'Give a client a new secret, printed once; the old secret or key and its tokens stop working',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      const core = await openCore()
      const secret = await core.clients.administration.rotateSecret(clientId)
      if (secret === undefined) throw unknownClient(clientId)
      auditCommand(io, core, 'admin.client.credential', { clientId, authentication: 'client_secret' }, 'client secret replaced')
      printSecret(io, secret, `${clientId} has a new secret; the old credential and the tokens got with it no longer work.`)
    }
  },
  {
    name: 'client set-key',
    synopsis: '<client_id> <public_key_file>',
    summary: 'Replace a client\'s key (PEM or JWK) for private_key_jwt; its old key or secret and its tokens stop working',
    positionals: ['client_id', 'public_key_file'],
    async run ({ positionals: [clientId = '', file = ''], io, openCore }) {
      const key = readKey(file)
      const core = await openCore()
      if (!await core.clients.administration.setKey(clientId, key)) throw unknownClient(clientId)
      auditCommand(io, core, 'admin.client.credential', { clientId, authentication: 'private_key_jwt' }, 'client key replaced')
      io.stdout.write(`${clientId} now authenticates with private_key_jwt (${key.algorithm}); its old credential and tokens no longer work\n`)
    }
  }
]
