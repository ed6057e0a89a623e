import t from 'tap'
import { createRevocationFeed } from '../../../src/revocations/revocation-feed.js'
import { RevocationList } from '@tollgate/auth/revocations/revocation-list'

const token = (id: string, until = 2_000_000_000) => ({ kind: 'token' as const, id, until })

t.test('a follower resuming with the last id it saw gets only what came after; anything else starts from a snapshot', async (t) => {
  const list = new RevocationList()
  const feed = createRevocationFeed(list, 3)
  const heard: string[] = []
  feed.subscribe((event) => heard.push(event.revocation.id))

  list.apply(token('a'))
  const afterA = feed.currentId()
  list.apply(token('b'))
  list.apply(token('b'))
  list.apply(token('c'))
  t.same(heard, ['a', 'b', 'c'], 'a repeat that changes nothing is not an event')
  t.same(feed.since(afterA)?.map((event) => event.revocation.id), ['b', 'c'])
  t.same(feed.since(feed.currentId()), [], 'up to date')
  t.same(feed.snapshot().map((revocation) => revocation.id).sort(), ['a', 'b', 'c'])

  for (const unknown of [undefined, null, '', 'other-1', `${afterA.split('-')[0]}-99`, 'x']) t.equal(feed.since(unknown), undefined, String(unknown))
  list.apply(token('d'))
  list.apply(token('e'))
  t.equal(feed.since(afterA), undefined, 'fallen out of the recent history: a snapshot is needed')
})

t.test('an instance id containing "-" (base64url) still resumes: the sequence is after the last "-"', async (t) => {
  const list = new RevocationList()
  const feed = createRevocationFeed(list, 10, 'ab-c-d')
  list.apply(token('a'))
  const afterA = feed.currentId()
  t.equal(afterA, 'ab-c-d-1')
  list.apply(token('b'))
  t.same(feed.since(afterA)?.map((event) => event.revocation.id), ['b'])
  t.same(feed.since(feed.currentId()), [])
  for (const unknown of ['ab-2', 'ab-c-1', 'c-d-1', '-1', 'ab-c-d-', 'ab-c-d-x']) t.equal(feed.since(unknown), undefined, unknown)
})

t.test('every instance id is resumable, whatever its characters', async (t) => {
  for (let i = 0; i < 200; i++) {
    const list = new RevocationList()
    const feed = createRevocationFeed(list)
    list.apply(token('a'))
    const afterA = feed.currentId()
    list.apply(token('b'))
    t.same(feed.since(afterA)?.map((event) => event.revocation.id), ['b'], afterA)
  }
})
