import { randomUUID } from 'node:crypto'
import { compiledOnce } from '../db/compiled-query.js'
import type { Db } from '../db/database.js'
import { codePoints } from '../code-points.js'
import { TollgateError } from '@tollgate/auth/errors'
import type { UserRow } from '../db/tables.js'
import { usernameSkeleton } from '../db/username-skeleton.js'

export interface User {
  id: string
  username: string
  roles: string[]
  disabled: boolean
  createdAt: number
}

export interface UserWithHash extends User {
  passwordHash: string
}

/** Usernames are unique regardless of case. */
const usernameTaken = (username: string): TollgateError =>
  new TollgateError('ERR_USERNAME_TAKEN', `username "${username}" is already taken`)

export const MAX_USERNAME_LENGTH = 64

/** A username, and its case-folded key, must fit the store's 64-character columns. */
export const fitsUsernameColumns = (username: string): boolean =>
  codePoints(username) <= MAX_USERNAME_LENGTH && codePoints(usernameKey(username)) <= MAX_USERNAME_LENGTH

export const usernameTooLong = (): TollgateError =>
  new TollgateError('ERR_VALIDATION', `usernames are limited to ${MAX_USERNAME_LENGTH} characters, also once normalized and lower-cased`)

/** What a role name may be, and how many a user may hold: the admin API and the CLI both enforce it. */
export const ROLE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/
export const MAX_ROLES = 32

export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase()

function toUser (row: UserRow): UserWithHash {
  return {
    id: row.id,
    username: row.username,
    roles: row.roles === '' ? [] : row.roles.split(' '),
    disabled: row.disabled !== 0,
    createdAt: Number(row.created_at),
    passwordHash: row.password_hash
  }
}

function withoutHash ({ passwordHash, ...user }: UserWithHash): User {
  return user
}

export function createUsersRepository (db: Db) {
  // Every refresh and code redemption reads its user: compiled once.
  const userById = compiledOnce(db.selectFrom('users').selectAll().where('id', '=', ''))

  async function findByUsername (username: string): Promise<UserWithHash | undefined> {
    const row = await db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst()
    return row === undefined ? undefined : toUser(row)
  }

  async function findById (id: string): Promise<User | undefined> {
    const [row] = (await db.executeQuery(userById(id))).rows
    return row === undefined ? undefined : withoutHash(toUser(row))
  }

  async function create (input: { username: string, passwordHash: string, roles?: string[] }): Promise<User> {
    const user: UserWithHash = {
      id: randomUUID(),
      username: input.username,
      roles: [...new Set(input.roles ?? [])],
      disabled: false,
      createdAt: Date.now(),
      passwordHash: input.passwordHash
    }
    // NFKC can expand one character into many (U+FDFA into 18): PostgreSQL would refuse the key, SQLite not.
    if (!fitsUsernameColumns(user.username)) {
      throw usernameTooLong()
    }
    const skeleton = usernameSkeleton(user.username)
    // A name that looks like a taken one (Unicode TS #39) is taken too: `аdmin` in Cyrillic beside `admin`.
    const taken = async (): Promise<boolean> => await findByUsername(user.username) !== undefined ||
      await db.selectFrom('users').select('id').where('username_skeleton', '=', skeleton).executeTakeFirst() !== undefined
    if (await taken()) throw usernameTaken(user.username)
    try {
      await db.insertInto('users').values({
        id: user.id,
        username: user.username,
        username_key: usernameKey(user.username),
        username_skeleton: skeleton,
        password_hash: user.passwordHash,
        roles: user.roles.join(' '),
        created_at: user.createdAt
      }).execute()
    } catch (error) {
      // Two concurrent creates of one name: the unique indexes decide, and the loser gets the same answer.
      if (await taken()) throw usernameTaken(user.username)
      throw error
    }
    return withoutHash(user)
  }

  async function list (): Promise<User[]> {
    const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('username_key').execute()
    return rows.map((row) => withoutHash(toUser(row)))
  }

  async function count (): Promise<number> {
    const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
    return Number(n)
  }

  /** Returns the updated user, or undefined when there is no user with that id. */
  async function update (id: string, changes: { roles?: string[], disabled?: boolean, passwordHash?: string }): Promise<User | undefined> {
    const set = {
      ...(changes.roles === undefined ? {} : { roles: [...new Set(changes.roles)].join(' ') }),
      ...(changes.disabled === undefined ? {} : { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash })
    }
    // An UPDATE with an empty SET list is a syntax error on every store.
    if (Object.keys(set).length === 0) return findById(id)
    const result = await db.updateTable('users').set(set).where('id', '=', id).executeTakeFirst()
    return result.numUpdatedRows === 0n ? undefined : findById(id)
  }

  /**
   * Deletes the user; returns whether there was one. Its name is free again, and its id never comes back:
   * ids are random UUIDs, never derived from the name, so a new account cannot inherit old tokens.
   */
  async function remove (id: string): Promise<boolean> {
    const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
    return result.numDeletedRows > 0n
  }

  return { findByUsername, findById, create, list, count, update, remove }
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
