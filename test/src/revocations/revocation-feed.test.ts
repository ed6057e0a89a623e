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
