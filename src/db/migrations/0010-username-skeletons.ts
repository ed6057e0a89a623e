import type { Kysely } from 'kysely'
import { usernameSkeleton } from '../username-skeleton.js'

interface Row { id: string, username: string }

/**
 * A username's confusable skeleton (Unicode TS #39), unique, so a name that looks like another (`аdmin`
 * in Cyrillic beside `admin`) is taken. Existing users get theirs, oldest first; of look-alikes already
 * there, only the oldest holds it (the column may be null, as a unique index allows any number of nulls),
 * and nobody new can take any of them.
 */
export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('username_skeleton', 'text').execute()
  const typed = db as unknown as Kysely<{ users: Row & { created_at: number, username_skeleton: string | null } }>
  const users = await typed.selectFrom('users').select(['id', 'username']).orderBy('created_at').orderBy('id').execute()
  const held = new Set<string>()
  for (const { id, username } of users) {
    const skeleton = usernameSkeleton(username)
    if (held.has(skeleton)) continue
    held.add(skeleton)
    await typed.updateTable('users').set({ username_skeleton: skeleton }).where('id', '=', id).execute()
  }
  await db.schema.createIndex('users_username_skeleton').unique().on('users').column('username_skeleton').execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('users_username_skeleton').execute()
  await db.schema.alterTable('users').dropColumn('username_skeleton').execute()
}
