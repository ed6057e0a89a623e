import { setTimeout as sleep } from 'node:timers/promises'
import type { Outcome, Revocation, Tally } from './fault-tally.js'

/**
 * The fault soak's steady load: bounded loops of real clients against 127.0.0.1 only — users who log in,
 * call both instances and the relying service, refresh and log out or revoke; services that take a
 * client credentials token, use it, introspect it and revoke it — and a watcher that keeps presenting
 * every ended token everywhere, noting the last time anything still accepted it.
 */

export interface Targets {
  instances: Array<{ name: string, url: string }>
  relying: string
  username: string
  password: string
  client: { id: string, secret: string }
}

interface Answer { outcome: Outcome, body: unknown }

const TIMEOUT_MS = 15_000

function failure (error: unknown): Outcome {
  const { name, cause } = error as { name?: string, cause?: { code?: string } }
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout'
  if (cause?.code === 'ECONNREFUSED') return 'refused'
  if (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'EPIPE') return 'reset'
  return 'network'
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!

export interface Watched {
  token: string
  kind: 'user' | 'client'
  /** The instance that ended it. */
  endedOn: string
  revocation: Revocation
  settled: boolean
}

export class SoakLoad {
  readonly watched: Watched[] = []
  private running = true

  constructor (private readonly targets: Targets, private readonly tally: Tally) {}

  stop (): void { this.running = false }

  /** One request, counted under `endpoint`; `wanted` says which statuses are the step's success. */
  async call (endpoint: string, target: string, url: string, init: RequestInit, wanted = (status: number) => status >= 200 && status < 300): Promise<Answer> {
    let outcome: Outcome
    let body: unknown
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
      outcome = response.status
      const text = await response.text()
      try { body = JSON.parse(text) } catch { body = text }
    } catch (error) {
      outcome = failure(error)
    }
    this.tally.add({ endpoint, target, outcome, at: Date.now(), wanted: typeof outcome === 'number' && wanted(outcome) })
    return { outcome, body }
  }

  private basic (): Record<string, string> {
    const { id, secret } = this.targets.client
    return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` }
  }

  private form (body: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
    return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) }
  }

  private json (body: unknown, headers: Record<string, string> = {}): RequestInit {
    return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }
  }

  /** Repeats a logout or revocation a client was told to retry (503, no connection) until it succeeds. */
  private async untilDone (attempt: () => Promise<Answer>): Promise<boolean> {
    for (let i = 0; i < 120; i++) {
      const { outcome } = await attempt()
      if (typeof outcome === 'number' && outcome < 300) return true
      if (typeof outcome === 'number' && outcome !== 503) return false
      await sleep(500)
    }
    return false
  }

  private watch (token: string, kind: 'user' | 'client', endedOn: string): void {
    this.watched.push({ token, kind, endedOn, revocation: { revokedAt: Date.now() }, settled: false })
  }

  /** A user: log in (either way), use the token everywhere, refresh, and end the session. */
  async user (): Promise<void> {
    const { instances, relying, username, password } = this.targets
    for (let round = 0; this.running; round++) {
      const [x, y] = Math.random() < 0.5 ? [instances[0]!, instances[1]!] : [instances[1]!, instances[0]!]
      const login = round % 2 === 0
        ? await this.call('POST /auth/login', x.name, `${x.url}/auth/login`, this.json({ username, password }))
        : await this.call('POST /auth/token (password)', x.name, `${x.url}/auth/token`, this.form({ grant_type: 'password', username, password }))
      if (login.outcome !== 200) { await sleep(200); continue }
      const session = login.body as { access_token: string, refresh_token: string }
      const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })
      for (const instance of instances) await this.call('GET /users/me', instance.name, `${instance.url}/users/me`, bearer(session.access_token))
      await this.call('GET /protected (relying)', 'relying', `${relying}/bench/protected`, bearer(session.access_token))
      const refreshed = await this.call('POST /auth/refresh', y.name, `${y.url}/auth/refresh`, this.json({ refresh_token: session.refresh_token }))
      if (refreshed.outcome !== 200) continue
      const next = refreshed.body as { access_token: string, refresh_token: string }
      await this.call('GET /users/me', x.name, `${x.url}/users/me`, bearer(next.access_token))
      if (round % 4 < 2) {
        if (!await this.untilDone(() => this.call('POST /auth/logout', x.name, `${x.url}/auth/logout`, { method: 'POST', ...bearer(next.access_token) }))) continue
        this.watch(next.access_token, 'user', x.name)
        // The session's refresh token ended with it.
        await this.call('POST /auth/refresh (after logout)', y.name, `${y.url}/auth/refresh`, this.json({ refresh_token: next.refresh_token }), (status) => status === 401)
      } else {
        if (!await this.untilDone(() => this.call('POST /auth/revoke (user)', y.name, `${y.url}/auth/revoke`, this.form({ token: next.access_token, token_type_hint: 'access_token' })))) continue
        this.watch(next.access_token, 'user', y.name)
      }
    }
  }

  /** A service: a client credentials token, used, introspected and revoked (RFC 7009). */
  async service (): Promise<void> {
    const { instances, relying } = this.targets
    while (this.running) {
      const x = pick(instances)
      const y = pick(instances)
      const grant = await this.call('POST /auth/token (client_credentials)', x.name, `${x.url}/auth/token`, this.form({ grant_type: 'client_credentials' }, this.basic()))
      if (grant.outcome !== 200) { await sleep(200); continue }
      const token = (grant.body as { access_token: string }).access_token
      await this.call('GET /protected (relying)', 'relying', `${relying}/bench/protected`, { headers: { authorization: `Bearer ${token}` } })
      await this.call('POST /auth/introspect', y.name, `${y.url}/auth/introspect`, this.form({ token }, this.basic()))
      if (!await this.untilDone(() => this.call('POST /auth/revoke (client)', x.name, `${x.url}/auth/revoke`, this.form({ token }, this.basic())))) continue
      this.watch(token, 'client', x.name)
    }
  }

  /** Whether anything still accepts the token; notes when. Undefined when some answer was no answer. */
  private async check (entry: Watched): Promise<boolean | undefined> {
    const { instances, relying } = this.targets
    const checks: Array<Promise<boolean | undefined>> = [
      ...instances.map(async (instance) => {
        if (entry.kind === 'user') {
          const { outcome } = await this.call('GET /users/me (ended token)', instance.name, `${instance.url}/users/me`, { headers: { authorization: `Bearer ${entry.token}` } }, (s) => s === 401 || s === 200)
          return outcome === 200 ? true : outcome === 401 ? false : undefined
        }
        const { outcome, body } = await this.call('POST /auth/introspect (ended token)', instance.name, `${instance.url}/auth/introspect`, this.form({ token: entry.token }, this.basic()))
        return outcome === 200 ? (body as { active: boolean }).active : undefined
      }),
      this.call('GET /protected (relying, ended token)', 'relying', `${relying}/bench/protected`, { headers: { authorization: `Bearer ${entry.token}` } }, (s) => s === 401 || s === 200)
        .then(({ outcome }) => outcome === 200 ? true : outcome === 401 ? false : undefined)
    ]
    const results = await Promise.all(checks)
    if (results.includes(true)) {
      entry.revocation.lastAcceptedAt = Date.now()
      entry.revocation.acceptedBy = [...instances.map((i) => i.name), 'relying'].filter((_, i) => results[i] === true)
      return true
    }
    return results.includes(undefined) ? undefined : false
  }

  /** Keeps presenting every ended token until all of them refuse it. */
  async watcher (): Promise<void> {
    while (this.running) {
      const pending = this.watched.filter((entry) => !entry.settled)
      for (const entry of pending) {
        if (await this.check(entry) === false) entry.settled = true
      }
      await sleep(50)
    }
  }

  /** Every ended token once more, everywhere: how many are still accepted somewhere. */
  async sweep (concurrency = 4): Promise<number> {
    let accepted = 0
    const queue = [...this.watched]
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
        if (await this.check(entry) === true) accepted++
      }
    }))
    return accepted
  }
}
