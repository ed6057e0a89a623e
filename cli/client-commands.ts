import { readFileSync } from 'node:fs'
import { parseClientKey, type ClientKey } from '../src/clients/client-keys.js'
import { CLIENT_PERMISSIONS, type Client, type ClientPermission } from '../src/clients/clients-repository.js'
import type { ClientSettings } from '../src/clients/client-administration.js'
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
  const [scopes, permissions, audiences, ttl] = [text('scopes'), text('permissions'), text('audiences'), text('ttl')]
  return {
    ...(scopes === undefined ? {} : { scopes: parseList(scopes) }),
    ...(permissions === undefined ? {} : { permissions: parsePermissions(permissions) }),
    ...(audiences === undefined ? {} : { audiences: parseList(audiences) }),
    ...(ttl === undefined ? {} : { tokenTtl: parseTtl(ttl) })
  }
}

const SETTINGS_OPTIONS = { scopes: { type: 'string' }, permissions: { type: 'string' }, audiences: { type: 'string' }, ttl: { type: 'string' } } as const

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
  client.tokenTtl === undefined ? '' : `, tokens for ${client.tokenTtl} s`
].join('')

export const clientCommands: Command[] = [
  {
    name: 'client add',
    synopsis: '<client_id> [--scopes a,b] [--audiences a,b] [--ttl SECONDS] [--public-key FILE] [--permissions introspect,revocations,token-exchange]',
    summary: 'Create a service client; prints its new secret once, or with --public-key (PEM or JWK) uses private_key_jwt',
    positionals: ['client_id'],
    options: { ...SETTINGS_OPTIONS, 'public-key': { type: 'string' } },
    async run ({ positionals: [clientId = ''], values, io, openCore }) {
      const file = values['public-key']
      const key = typeof file === 'string' ? readKey(file) : undefined
      const core = await openCore()
      const added = await core.clients.administration.add(clientId, { ...settingsFrom(values), ...(key === undefined ? {} : { key }) })
      const note = `Client ${added.client.id} created with ${describe(added.client)}`
      if (added.secret !== undefined) printSecret(io, added.secret, `${note}.`)
      else io.stdout.write(`${note}; it authenticates with private_key_jwt (${key?.algorithm ?? ''})\n`)
    }
  },
  {
    name: 'client list',
    summary: 'List every service client: id, authentication, scopes, audiences, token lifetime, permissions, disabled',
    async run ({ io, openCore }) {
      const core = await openCore()
      printTable(io, ['ID', 'AUTH', 'SCOPES', 'AUDIENCES', 'TTL', 'PERMISSIONS', 'DISABLED'], (await core.clients.repository.list()).map((client) => [
        client.id,
        client.publicKey === undefined ? 'secret' : `key ${parseClientKey(client.publicKey).algorithm}`,
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
    synopsis: '<client_id> [--scopes a,b] [--audiences a,b] [--ttl SECONDS|default] [--permissions a,b]',
    summary: 'Change what a client\'s tokens may carry; new scopes or audiences end the tokens it holds',
    positionals: ['client_id'],
    options: SETTINGS_OPTIONS,
    async run ({ positionals: [clientId = ''], values, io, openCore }) {
      const settings = settingsFrom(values)
      if (Object.keys(settings).length === 0) throw cliError('client update needs --scopes, --audiences, --ttl or --permissions')
      const core = await openCore()
      if (!await core.clients.administration.update(clientId, settings)) throw unknownClient(clientId)
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
      if (!await (await openCore()).clients.administration.disable(clientId)) throw unknownClient(clientId)
      io.stdout.write(`${clientId} is disabled; the tokens it held no longer work\n`)
    }
  },
  {
    name: 'client enable',
    synopsis: '<client_id>',
    summary: 'Let a disabled client obtain tokens again',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      if (!await (await openCore()).clients.administration.enable(clientId)) throw unknownClient(clientId)
      io.stdout.write(`${clientId} is enabled\n`)
    }
  },
  {
    name: 'client rotate-secret',
    synopsis: '<client_id>',
    summary: 'Give a client a new secret, printed once; the old secret or key and its tokens stop working',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      const secret = await (await openCore()).clients.administration.rotateSecret(clientId)
      if (secret === undefined) throw unknownClient(clientId)
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
      if (!await (await openCore()).clients.administration.setKey(clientId, key)) throw unknownClient(clientId)
      io.stdout.write(`${clientId} now authenticates with private_key_jwt (${key.algorithm}); its old credential and tokens no longer work\n`)
    }
  }
]
