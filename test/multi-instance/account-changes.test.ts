import t from 'tap'
import { bearer, PASSWORD } from '../helper.js'
import { logIn, meStatus, refresh, refusedBy, startPair } from './probes.js'

const NEW_PASSWORD = 'a kettle of falcons at noon'
const sid = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid

t.test('account changes on one of two processes (one PostgreSQL database, one Redis) hold on the other at once', async (t) => {
  // Logins count against the per-username budget as password changes do: leave room for a few of each.
  const { clients, ids } = await startPair(t, { root: ['admin'], alice: [], bob: [], carol: [], dave: [] }, '10')

  t.test('a session a user ends on B is refused on A by the deadline, and its refresh token for good', async (t) => {
    const [onA, onB] = clients()
    const here = await logIn(onB, 'alice')
    const lost = await logIn(onA, 'alice')
    t.equal(await meStatus(onA, lost.access), 200, 'the session to end works on A')

    const ended = await onB.delete(`/users/me/sessions/${sid(lost.access)}`, { headers: bearer(here.access) })
    const endedAt = performance.now()
    t.equal(ended.status, 204, 'B ends it')
    await refusedBy(t, onA, lost.access, endedAt, 'the ended session\'s access token')
    t.equal((await refresh(onA, lost.refresh)).status, 401, 'its refresh token is refused on A')
    t.equal((await refresh(onB, lost.refresh)).status, 401, 'and on B')
    t.equal(await meStatus(onA, here.access), 200, 'the session that ended it goes on, on A too')
  })

  t.test('an admin ending a session on B: refused on A by the deadline', async (t) => {
    const [onA, onB] = clients()
    const admin = await logIn(onB, 'root')
    const bobs = await logIn(onA, 'bob')
    const ended = await onB.delete(`/admin/sessions/${sid(bobs.access)}`, { headers: bearer(admin.access) })
    const endedAt = performance.now()
    t.equal(ended.status, 204)
    await refusedBy(t, onA, bobs.access, endedAt, 'the session\'s access token')
    t.equal((await refresh(onA, bobs.refresh)).status, 401, 'its refresh token is refused')
  })

  t.test('a password change on B ends every other session on A by the deadline; this one goes on', async (t) => {
    const [onA, onB] = clients()
    const here = await logIn(onB, 'carol')
    const others = [await logIn(onA, 'carol'), await logIn(onA, 'carol')]
    const changed = await onB.post('/users/me/password', { headers: bearer(here.access), json: { current_password: PASSWORD, new_password: NEW_PASSWORD } })
    const changedAt = performance.now()
    t.equal(changed.status, 204)
    // Probed side by side: probing one after the other would start the second late on a loaded machine.
    await Promise.all(others.map((other, i) => refusedBy(t, onA, other.access, changedAt, `other session ${i + 1}'s access token`)))
    for (const [i, other] of others.entries()) {
      t.equal((await refresh(onA, other.refresh)).status, 401, `other session ${i + 1}'s refresh token is refused`)
    }
    t.equal(await meStatus(onA, here.access), 200, 'the session it was made in works on A')
    t.equal((await onA.post('/auth/login', { json: { username: 'carol', password: NEW_PASSWORD } })).status, 200, 'A takes the new password')
  })

  t.test('a user deleted on B is refused on A by the deadline', async (t) => {
    const [onA, onB] = clients()
    const admin = await logIn(onB, 'root')
    const daves = await logIn(onA, 'dave')
    const deleted = await onB.delete(`/admin/users/${ids.dave}`, { headers: bearer(admin.access) })
    const deletedAt = performance.now()
    t.equal(deleted.status, 204)
    await refusedBy(t, onA, daves.access, deletedAt, 'the deleted user\'s access token')
    t.equal((await refresh(onA, daves.refresh)).status, 401, 'their refresh token is refused')
    t.equal((await onA.post('/auth/login', { json: { username: 'dave', password: PASSWORD } })).status, 401, 'and their login')
  })
})
