import type { Core } from '../src/core.js'
import { MAX_ROLES, MAX_USERNAME_LENGTH, ROLE_PATTERN, usernameKey, usernameTooLong, type UserWithHash } from '../src/users/users-repository.js'
import { cliError, quote, type Command } from './command.js'
import { readPassword } from './read-password.js'
import { length, printTable } from './table.js'

// The API's own bounds (src/http/schemas.ts, routes/admin/users.ts), so a user made here can always log in.
const MIN_PASSWORD_LENGTH = 8
const MAX_PASSWORD_LENGTH = 1024

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

function checkUsername (username: string): void {
  if (username === '') throw cliError('the username must not be empty')
  // The store's own limit, checked here too so nobody types a password for a name it would refuse.
  if (length(username) > MAX_USERNAME_LENGTH || length(usernameKey(username)) > MAX_USERNAME_LENGTH) {
    throw usernameTooLong()
  }
  if (CONTROL.test(username) || username.trim() !== username) {
    throw cliError('the username must not contain control characters or start or end with a space')
  }
}

function checkPassword (password: string): void {
  if (length(password) < MIN_PASSWORD_LENGTH) throw cliError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters long`)
  if (length(password) > MAX_PASSWORD_LENGTH) throw cliError(`the password must be at most ${MAX_PASSWORD_LENGTH} characters long`)
}

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

const describeRoles = (roles: string[]): string => roles.length === 0 ? 'no roles' : `the roles ${roles.join(',')}`

export const userCommands: Command[] = [
  {
    name: 'user add',
    synopsis: '<username> [--roles a,b]',
    summary: 'Create a user (password: one line on standard input); prints the new id',
    positionals: ['username'],
    options: { roles: { type: 'string' } },
    async run ({ positionals: [username = ''], values, io, openCore }) {
      checkUsername(username)
      const roles = parseRoles(typeof values.roles === 'string' ? values.roles : '')
      const core = await openCore()
      // Checked before asking, so nobody types a password for a name that cannot be had.
      if (await core.users.findByUsername(username) !== undefined) throw cliError(`username ${quote(username)} is already taken`)
      const password = await readPassword(io, username)
      checkPassword(password)
      const user = await core.users.create({ username, passwordHash: await core.passwords.hash(password), roles })
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
      // Through the session service, so no token goes on carrying the old roles.
      await core.sessions.setRoles(user.id, roles)
      io.stdout.write(`${user.username} now has ${describeRoles(roles)}; the tokens they held no longer work\n`)
    }
  },
  {
    name: 'user disable',
    synopsis: '<username>',
    summary: 'Stop a user from logging in; ends the tokens they hold',
    positionals: ['username'],
    async run ({ positionals: [username = ''], io, openCore }) {
      const core = await openCore()
      const user = await findUser(core, username)
      await core.sessions.setDisabled(user.id, true)
      io.stdout.write(`${user.username} is disabled; the tokens they held no longer work\n`)
    }
  },
  {
    name: 'user enable',
    synopsis: '<username>',
    summary: 'Let a disabled user log in again',
    positionals: ['username'],
    async run ({ positionals: [username = ''], io, openCore }) {
      const core = await openCore()
      const user = await findUser(core, username)
      await core.sessions.setDisabled(user.id, false)
      io.stdout.write(`${user.username} is enabled\n`)
    }
  }
]
