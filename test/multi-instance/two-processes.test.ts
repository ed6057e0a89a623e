import t from 'tap'
import { bearer, PASSWORD } from '../helper.js'
import type { HttpClient } from './http-client.js'
import { logIn, meStatus, refresh, refusedBy, startPair, type Tokens } from './probes.js'

t.test('two Tollgate processes sharing one PostgreSQL database and one Redis', async (t) => {
  const { a, b, clients } = await startPair(t, { alice: [], bob: [], carol: [] })
  t.not(a.url, b.url, 'each process listens on its own port')

  t.test('a logout on B is refused on A by the deadline', async (t) => {
    const [onA, onB] = clients()
    const session = await logIn(onA, 'alice')
    t.equal(await meStatus(onA, session.access), 200, 'the token works on A')
    t.equal(await meStatus(onB, session.access), 200, 'and on B')

    t.equal((await onB.post('/auth/logout', { headers: bearer(session.access) })).status, 204, 'B logs it out')
    await refusedBy(t, onA, session.access, performance.now(), 'the logged-out token')
    t.equal(await meStatus(onB, session.access), 401, 'B refuses it too')
    t.equal((await refresh(onA, session.refresh)).status, 401, 'its refresh token no longer works on A')
  })

  t.test('a refresh token spent on A and presented again on B ends the family on both', async (t) => {
    const [onA, onB] = clients()
    const first = await logIn(onA, 'alice')
    const rotated = await refresh(onA, first.refresh)
    t.equal(rotated.status, 200, 'A rotates the refresh token')
    const current: Tokens = { access: rotated.json().access_token, refresh: rotated.json().refresh_token }
    t.equal(await meStatus(onB, current.access), 200, 'the new access token works on B')

    const reuse = await refresh(onB, first.refresh)
    const detectedAt = performance.now()
    t.equal(reuse.status, 401, 'B refuses the spent token')

    await refusedBy(t, onA, current.access, detectedAt, 'the family\'s current access token')
    t.equal(await meStatus(onB, current.access), 401, 'B refuses the current access token')
    t.equal(await meStatus(onA, first.access), 401, 'A refuses the family\'s first access token')
    t.equal((await refresh(onA, current.refresh)).status, 401, 'the latest refresh token no longer works on A')
    t.equal((await refresh(onB, current.refresh)).status, 401, 'nor on B')
  })

  t.test('logout-all on B ends every session of the user on A, and later logins work', async (t) => {
    const [onA, onB] = clients()
    const sessions = [await logIn(onA, 'carol'), await logIn(onA, 'carol')]
    const other = await logIn(onA, 'alice')

    t.equal((await onB.post('/auth/logout-all', { headers: bearer(sessions[0]!.access) })).status, 204)
    const endedAt = performance.now()
    // Probed side by side: probing one after the other would start the second late on a loaded machine.
    await Promise.all(sessions.map((session, index) => refusedBy(t, onA, session.access, endedAt, `session ${index + 1}'s access token`)))
    for (const [index, session] of sessions.entries()) {
      t.equal(await meStatus(onB, session.access), 401, `B refuses session ${index + 1}'s access token`)
      t.equal((await refresh(onA, session.refresh)).status, 401, `session ${index + 1}'s refresh token no longer works`)
    }
    t.equal(await meStatus(onA, other.access), 200, 'another user\'s token is untouched')

    const again = await logIn(onA, 'carol')
    t.equal(await meStatus(onA, again.access), 200, 'a login on A afterwards works on A')
    t.equal(await meStatus(onB, again.access), 200, 'and on B')
  })

  t.test('failed logins for one username count across both instances', async (t) => {
    const [onA, onB] = clients()
    const attempt = (client: HttpClient) => client.post('/auth/login', { json: { username: 'bob', password: 'not his password' } })
    t.equal((await attempt(onA)).status, 401, '1st, on A')
    t.equal((await attempt(onB)).status, 401, '2nd, on B')
    t.equal((await attempt(onA)).status, 401, '3rd, on A')
    const fourth = await attempt(onB)
    t.equal(fourth.status, 429, 'the 4th, on B, is throttled: B counted A\'s attempts')
    t.match(fourth.headers['retry-after'], /^\d+$/, 'with a Retry-After in seconds')

    // The budget is the username's, whichever address asks.
    const [elsewhereA] = clients()
    const right = await elsewhereA.post('/auth/login', { json: { username: 'bob', password: PASSWORD } })
    t.equal(right.status, 429, 'even the right password from another address waits')
  })

  t.test('failed logins from one address count across both instances, at twice the per-user limit', async (t) => {
    const [onA, onB] = clients()
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const response = await (i % 2 === 0 ? onA : onB).post('/auth/login', { json: { username: `nobody-${i}`, password: 'whatever it is' } })
      statuses.push(response.status)
      if (response.status === 429) t.match(response.headers['retry-after'], /^\d+$/, 'with a Retry-After in seconds')
    }
    t.same(statuses, [401, 401, 401, 401, 401, 401, 429], 'six failures in all, then 429')
  })
})
