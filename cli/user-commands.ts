import type { Core } from '../src/core.js'
import { checkUsername } from '../src/users/username-policy.js'
import { MAX_ROLES, ROLE_PATTERN, type UserWithHash } from '../src/users/users-repository.js'
import { auditCommand } from './audit-log.js'
import { cliError, quote, type CliIo, type Command } from './command.js'
import { readPassword } from './read-password.js'
import { printTable } from './table.js'

/** `a,b` → `['a', 'b']`; an empty list is allowed (no roles). */
function parseRoles (list: string): string[] {
  const roles = [...new Set(list.split(',').map((role) => role.trim()).filter((role) => role !== ''))]
  const invalid = roles.find((role) => !ROLE_PATTERN.test(role))
  if (invalid !== undefined) throw cliError(`${quote(invalid)} is not a role name (up to 64 letters, digits, and _ . : -)`)
  if (roles.length > MAX_ROLES) throw cliError(`a user can have at most ${MAX_ROLES} roles`)
  return roles
}

async function findUser (core: Core, username: string): Promise<UserWithHash> {
  const user = await core.users.findByUsername(username)
  if (user === undefined) throw cliError(`no user named ${quote(username)}`)
  return user
}

/** A command on one existing user, its only argument: `act` makes the change and says what it did. */
function onUser (name: string, summary: string, act: (core: Core, user: UserWithHash, io: CliIo) => Promise<string>): Command {
  return {
    name,
    synopsis: '<username>',
    summary,
    positionals: ['username'],
    async run ({ positionals: [username = ''], io, openCore }) {
      const core = await openCore()
      io.stdout.write(`${await act(core, await findUser(core, username), io)}\n`)
    }
  }
}

const describeRoles = (roles: string[]): string => roles.length === 0 ? 'no roles' : `the roles ${roles.join(',')}`

export const userCommands: Command[] = [
  {
    name: 'user add',
    synopsis: '<username> [--roles a,b]',
    summary: 'Create a user (password: one line on standard input); prints the new id',
    positionals: ['username'],
    options: { roles: { type: 'string' } },
    async run ({ positionals: [username = ''], values, io, openCore }) {
      // Checked before asking, so nobody types a password for a name that cannot be had.
      checkUsername(username)
      const roles = parseRoles(typeof values.roles === 'string' ? values.roles : '')
      const core = await openCore()
      if (await core.users.findByUsername(username) !== undefined) throw cliError(`username ${quote(username)} is already taken`)
      const password = await readPassword(io, username)
      const user = await core.accounts.create({ username, password, roles })
      auditCommand(io, core, 'admin.user.create', { userId: user.id, username, roles: user.roles }, 'user created')
      io.stdout.write(`${user.id}\n`)
    }
  },
  {
    name: 'user list',
    summary: 'List every user: id, username, roles, disabled',
    async run ({ io, openCore }) {
      const core = await openCore()
      printTable(io, ['ID', 'USERNAME', 'ROLES', 'DISABLED'], (await core.users.list()).map((user) => [
        user.id, user.username, user.roles.join(',') || '-', user.disabled ? 'yes' : 'no'
      ]))
    }
  },
  {
    name: 'user roles',
    synopsis: '<username> <a,b>',
    summary: 'Replace a user\'s roles ("" for none); ends the tokens they hold',
    positionals: ['username', 'roles'],
    async run ({ positionals: [username = '', list = ''], io, openCore }) {
      const roles = parseRoles(list)
      const core = await openCore()
      const user = await findUser(core, username)
      // Through the accounts, so no token goes on carrying the old roles and an admin always remains.
      await core.accounts.setRoles(user.id, roles)
      auditCommand(io, core, 'admin.user.update', { userId: user.id, username: user.username, roles }, 'user updated')
      io.stdout.write(`${user.username} now has ${describeRoles(roles)}; the tokens they held no longer work\n`)
    }
  },
  onUser('user disable', 'Stop a user from logging in; ends the tokens they hold', async (core, user, io) => {
    await core.accounts.setDisabled(user.id, true)
    auditCommand(io, core, 'admin.user.update', { userId: user.id, username: user.username, disabled: true }, 'user updated')
    return `${user.username} is disabled; the tokens they held no longer work`
  }),
  onUser('user enable', 'Let a disabled user log in again', async (core, user, io) => {
    await core.accounts.setDisabled(user.id, false)
    auditCommand(io, core, 'admin.user.update', { userId: user.id, username: user.username, disabled: false }, 'user updated')
    return `${user.username} is enabled`
  }),
  onUser('user passwd', 'Set a user\'s password (one line on standard input); ends every session they have', async (core, user, io) => {
    await core.accounts.setPassword(user.id, await readPassword(io, user.username))
    auditCommand(io, core, 'admin.user.password', { userId: user.id, username: user.username }, 'password set')
    return `${user.username} has a new password; the sessions they had are ended`
  }),
  onUser('user delete', 'Delete a user and end the tokens they hold; the username can be used again', async (core, user, io) => {
    await core.accounts.remove(user.id)
    auditCommand(io, core, 'admin.user.delete', { userId: user.id, username: user.username }, 'user deleted')
    return `${user.username} is deleted; the tokens they held no longer work`
  })
]
