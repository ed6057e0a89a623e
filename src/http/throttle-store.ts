import { createRequire } from 'node:module'
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Redis } from 'ioredis'

type Counted = (error: Error | null, result?: { current: number, ttl: number }) => void
interface Settings { continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number }

/** What @fastify/rate-limit asks of a store (its typings leave out `read`, which `{ increment: false }` calls). */
interface Store {
  incr (key: string, callback: Counted, timeWindow: number, max: number): void
  read (key: string, callback: Counted, timeWindow: number, max: number): void
  child (settings: Settings): Store
}
type StoreCtor = new (continueExceeding: boolean | undefined, exponentialBackoff: boolean | undefined, ...rest: unknown[]) => Store

// @fastify/rate-limit's own stores, which it does not export by name (the package has no exports map).
const require = createRequire(import.meta.url)
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreCtor
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreCtor

/**
 * @fastify/rate-limit's stores, with every limiter counting under `nameSpace` followed by its key alone. Its
 * Redis store puts the route's method and URL between the two, and a limiter made with `createRateLimit`
 * has no route: the keys read `…rate-limit:undefinedundefined-username:…`. Here the key generators name
 * what they count (`login-failures:username:…`), and that is the whole key after the prefix.
 */
export function namedStores (nameSpace: string, redis: Redis | undefined): FastifyRateLimitStoreCtor {
  const make = (settings: Settings): Store => redis === undefined
    ? new LocalStore(settings.continueExceeding, settings.exponentialBackoff, settings.cache)
    : new RedisStore(settings.continueExceeding, settings.exponentialBackoff, redis, nameSpace)
  class NamedStore implements Store {
    readonly store: Store
    constructor (settings: Settings) { this.store = make(settings) }
    incr (...args: Parameters<Store['incr']>): void { this.store.incr(...args) }
    read (...args: Parameters<Store['read']>): void { this.store.read(...args) }
    child (settings: Settings): Store { return make(settings) }
  }
  return NamedStore as unknown as FastifyRateLimitStoreCtor
}
