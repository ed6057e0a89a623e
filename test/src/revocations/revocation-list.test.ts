import t from 'tap'
import { cutoffNow, RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'

const NOW = 1_800_000_000

function claims (overrides: Partial<AccessClaims> = {}): AccessClaims {
  return { sub: 'user-1', iat: NOW, nbf: NOW, exp: NOW + 900, jti: 'jti-1', iss: 'tollgate', aud: 'tollgate-api', roles: [], scope: '', ...overrides }
}

t.test('an empty list revokes nothing', async (t) => {
  const list = new RevocationList()
  t.equal(list.isRevoked(claims()), false)
  t.equal(list.notBefore('user-1'), 0)
  t.equal(list.size, 0)
})

t.test('a revoked token is refused; other tokens of the same user are not', async (t) => {
  const list = new RevocationList()
  list.apply({ kind: 'token', id: 'jti-1', until: NOW + 900 })
  t.equal(list.isRevoked(claims()), true)
  t.equal(list.isRevoked(claims({ jti: 'jti-2' })), false)
  t.equal(list.notBefore('user-1'), 0, 'revoking one token sets no cut-off')
  const isRevoked = list.isRevoked
  t.equal(isRevoked(claims()), true, 'works as a detached callback')
})

t.test('a revoked session refuses every token carrying its sid', async (t) => {
  const list = new RevocationList()
  list.apply({ kind: 'session', id: 'family-1', until: NOW + 900 })
  t.equal(list.isRevoked(claims({ sid: 'family-1' })), true)
  t.equal(list.isRevoked(claims({ sid: 'family-1', jti: 'another' })), true)
  t.equal(list.isRevoked(claims({ sid: 'family-2' })), false)
  t.equal(list.isRevoked(claims()), false, 'a token without a sid is not matched')
})

t.test('a cut-off refuses the user\'s tokens issued before it, and only those', async (t) => {
  const list = new RevocationList()
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW + 1 })
  t.equal(list.isRevoked(claims({ iat: NOW })), true)
  t.equal(list.isRevoked(claims({ iat: NOW + 1 })), false, 'a token issued at the cut-off is accepted')
  t.equal(list.isRevoked(claims({ sub: 'user-2', iat: NOW })), false, 'other users are not affected')
  t.equal(list.notBefore('user-1'), NOW + 1)
  t.equal(list.notBefore('user-2'), 0)
})

t.test('a cut-off only ever moves later, whatever order the messages arrive in', async (t) => {
  const list = new RevocationList()
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW + 10 })
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW + 5 })
  t.equal(list.notBefore('user-1'), NOW + 10, 'an earlier cut-off arriving late is ignored')
  t.equal(list.isRevoked(claims({ iat: NOW + 7 })), true)
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW + 20 })
  t.equal(list.notBefore('user-1'), NOW + 20)
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW + 20 })
  t.equal(list.size, 1, 'replays add nothing')
})

t.test('prune keeps revoked tokens a minute past their expiry', async (t) => {
  const list = new RevocationList()
  const ttl = 900
  list.apply({ kind: 'token', id: 'jti-1', until: NOW })
  list.apply({ kind: 'session', id: 'family-1', until: NOW })

  list.prune(NOW + 60, ttl)
  t.equal(list.isRevoked(claims({ jti: 'jti-1' })), true, 'still known 60 s after exp')
  t.equal(list.isRevoked(claims({ sid: 'family-1', jti: 'x' })), true, 'the session too')

  list.prune(NOW + 61, ttl)
  t.equal(list.isRevoked(claims({ jti: 'jti-1' })), false, 'forgotten once more than 60 s past exp')
  t.equal(list.isRevoked(claims({ sid: 'family-1', jti: 'x' })), false)
  t.equal(list.size, 0)
})

t.test('prune keeps a cut-off while a token issued before it could still be valid', async (t) => {
  const list = new RevocationList()
  const ttl = 900
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW })

  list.prune(NOW + ttl + 60, ttl)
  t.equal(list.notBefore('user-1'), NOW, 'kept up to the longest lifetime plus the margin')
  t.equal(list.isRevoked(claims({ iat: NOW - 1 })), true)

  list.prune(NOW + ttl + 61, ttl)
  t.equal(list.notBefore('user-1'), 0)
  t.equal(list.size, 0)
})

t.test('cutoffNow ends every token issued up to and including this second', async (t) => {
  const realNow = Date.now
  t.teardown(() => { Date.now = realNow })
  Date.now = () => NOW * 1000 + 999
  t.equal(cutoffNow(), NOW + 1)
  Date.now = () => NOW * 1000
  t.equal(cutoffNow(), NOW + 1)
})

t.test('each revocation is counted once, by the path that brought it first', async (t) => {
  const list = new RevocationList()
  list.apply({ kind: 'token', id: 'jti-1', until: NOW + 900 })
  list.apply({ kind: 'token', id: 'jti-1', until: NOW + 900 }, 'redis-pubsub')
  list.apply({ kind: 'session', id: 'family-1', until: NOW + 900 }, 'redis-pubsub')
  list.apply({ kind: 'session', id: 'family-1', until: NOW + 900 }, 'database-poll')
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW }, 'database-poll')
  list.apply({ kind: 'cutoff', id: 'user-1', until: NOW + 5 }, 'redis-load')
  list.apply({ kind: 'token', id: 'jti-2', until: NOW + 900 }, 'database-change')
  list.apply({ kind: 'token', id: 'jti-2', until: NOW + 900 }, 'database-poll')
  t.same(list.applied, {
    local: { token: 1, session: 0, cutoff: 0 },
    'redis-pubsub': { token: 0, session: 1, cutoff: 0 },
    'redis-load': { token: 0, session: 0, cutoff: 1 },
    'database-change': { token: 1, session: 0, cutoff: 0 },
    'database-poll': { token: 0, session: 0, cutoff: 1 }
  }, 'an echo or a later poll of what is known is not counted; a later cut-off is')
})
