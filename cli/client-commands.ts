import { CLIENT_PERMISSIONS, type ClientPermission } from '../src/clients/clients-repository.js'
import { cliError, quote, type CliIo, type Command } from './command.js'
import { printTable } from './table.js'

/** `a, b,a` → `['a', 'b']`; an empty list is allowed (a client that can only prove who it is). */
const parseList = (list: string): string[] => [...new Set(list.split(',').map((item) => item.trim()).filter((item) => item !== ''))]

function parsePermissions (list: string): ClientPermission[] {
  const names = parseList(list)
  const unknown = names.find((name) => !(CLIENT_PERMISSIONS as readonly string[]).includes(name))
  if (unknown !== undefined) throw cliError(`${quote(unknown)} is not a permission; --permissions takes ${CLIENT_PERMISSIONS.join(', ')}`)
  return names as ClientPermission[]
}

/** Standard output carries the secret alone, so a script can capture it; the words for people go to stderr. */
function printSecret (io: CliIo, secret: string, note: string): void {
  io.stdout.write(`${secret}\n`)
  io.stderr.write(`${note} This secret is shown once and cannot be recovered: store it now.\n`)
}

const unknownClient = (clientId: string) => cliError(`no client ${quote(clientId)}`)

export const clientCommands: Command[] = [
  {
    name: 'client add',
    synopsis: '<client_id> [--scopes a,b] [--permissions introspect,revocations]',
    summary: 'Create a service client; prints its new secret once',
    positionals: ['client_id'],
    options: { scopes: { type: 'string' }, permissions: { type: 'string' } },
    async run ({ positionals: [clientId = ''], values, io, openCore }) {
      const scopes = parseList(typeof values.scopes === 'string' ? values.scopes : '')
      const permissions = parsePermissions(typeof values.permissions === 'string' ? values.permissions : '')
      const core = await openCore()
      const added = await core.clientAdministration.add(clientId, scopes, permissions)
      const allowed = added.client.scopes.length === 0 ? 'no scopes' : `the scopes ${added.client.scopes.join(',')}`
      printSecret(io, added.secret, `Client ${added.client.id} created with ${allowed}.`)
    }
  },
  {
    name: 'client list',
    summary: 'List every service client: id, scopes, permissions, disabled',
    async run ({ io, openCore }) {
      const core = await openCore()
      printTable(io, ['ID', 'SCOPES', 'PERMISSIONS', 'DISABLED'], (await core.clients.list()).map((client) => [
        client.id, client.scopes.join(',') || '-', client.permissions.join(',') || '-', client.disabled ? 'yes' : 'no'
      ]))
    }
  },
  {
    name: 'client disable',
    synopsis: '<client_id>',
    summary: 'Refuse a client new tokens; ends the tokens it holds',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      if (!await (await openCore()).clientAdministration.disable(clientId)) throw unknownClient(clientId)
      io.stdout.write(`${clientId} is disabled; the tokens it held no longer work\n`)
    }
  },
  {
    name: 'client enable',
    synopsis: '<client_id>',
    summary: 'Let a disabled client obtain tokens again',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      if (!await (await openCore()).clientAdministration.enable(clientId)) throw unknownClient(clientId)
      io.stdout.write(`${clientId} is enabled\n`)
    }
  },
  {
    name: 'client rotate-secret',
    synopsis: '<client_id>',
    summary: 'Give a client a new secret, printed once; the old one and its tokens stop working',
    positionals: ['client_id'],
    async run ({ positionals: [clientId = ''], io, openCore }) {
      const secret = await (await openCore()).clientAdministration.rotateSecret(clientId)
      if (secret === undefined) throw unknownClient(clientId)
      printSecret(io, secret, `${clientId} has a new secret; the old one and the tokens got with it no longer work.`)
    }
  }
]
