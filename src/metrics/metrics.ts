import { Registry } from 'prom-client'
import type { HashQueueStats } from '../passwords/password-hasher.js'
import type { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { DependencyProbes } from '../health/dependencies.js'
import { RequestDurations } from './request-durations.js'
import { registerRuntimeMetrics } from './runtime.js'
import { metricsIn } from './registry.js'

/** How a token was obtained: `login` is POST /auth/login, the others are /auth/token's grant types. */
export type Grant = 'login' | 'password' | 'refresh_token' | 'client_credentials' | 'token_exchange'
const GRANTS: readonly Grant[] = ['login', 'password', 'refresh_token', 'client_credentials', 'token_exchange']

/** Which login budget a throttled attempt exhausted. */
export type ThrottleKey = 'address' | 'username'

/** What the metrics read when scraped; the counts behind them are plain numbers kept by their owners. */
export interface MetricsSources {
  /** How accepted access tokens were found: the verifier's counts. */
  accepted: Readonly<Record<'remembered' | 'cached' | 'verified', number>>
  revocations: Pick<RevocationList, 'applied'>
  passwordQueue: () => HashQueueStats
  /** Whether the database and Redis answer now. */
  probe: () => Promise<DependencyProbes>
}

/**
 * Tollgate's metrics in a registry of their own (each app built in one process counts apart). Events
 * on the hot path are plain counts read at scrape time; rarer events are counted as they happen; every
 * label takes values from a fixed set, never from a URL, a user or a client.
 */
export function createMetrics (sources: MetricsSources) {
  const registry = new Registry()
  const { counter, gauge } = metricsIn(registry)

  const requests = new RequestDurations('tollgate_http_request_duration_seconds',
    'Time to answer an HTTP request, by method, route template and status code; _count is the number of requests')

  const labelled = (name: string, help: string, label: string) => counter({ name, help, labelNames: [label] })
  const issued = labelled('tollgate_tokens_issued_total', 'Access tokens issued, by grant', 'grant')
  const loginsFailed = labelled('tollgate_logins_failed_total',
    'Credential checks that failed (unknown user, wrong password, disabled account, bad client secret), by grant', 'grant')
  const throttled = labelled('tollgate_logins_throttled_total',
    'Login attempts refused with 429, by the budget exhausted: per client address or per username', 'by')
  const refreshRefused = labelled('tollgate_refresh_refused_total',
    'Refresh tokens refused, by reason; "reused" means a spent token came back, a likely theft, and its session was ended', 'reason')
  const rejected = labelled('tollgate_token_rejections_total',
    'Requests refused with 401 by the authenticate guard, by reason (missing, revoked, or the verification error code)', 'reason')
  for (const grant of GRANTS) {
    issued.labels(grant).inc(0)
    loginsFailed.labels(grant).inc(0)
  }
  for (const by of ['address', 'username']) throttled.labels(by).inc(0)

  counter({
    name: 'tollgate_token_verifications_total',
    help: 'Access tokens accepted, by how: remembered on the connection, found in the verified-token cache, or verified in full',
    labelNames: ['outcome'],
    collect () {
      this.reset()
      for (const [outcome, count] of Object.entries(sources.accepted)) this.inc({ outcome }, count)
    }
  })
  counter({
    name: 'tollgate_revocations_applied_total',
    help: 'Revocations that took effect on this instance, by kind and by the path that brought them first',
    labelNames: ['kind', 'source'],
    collect () {
      this.reset()
      for (const [source, byKind] of Object.entries(sources.revocations.applied)) {
        for (const [kind, count] of Object.entries(byKind)) this.inc({ kind, source }, count)
      }
    }
  })
  gauge({
    name: 'tollgate_password_hash_queue_length',
    help: 'Password hashes (argon2id) waiting for a thread; a queue that stays long means logins wait',
    collect () { this.set(sources.passwordQueue().waiting) }
  })
  counter({
    name: 'tollgate_password_hash_wait_seconds_total',
    help: 'Time password hashes waited for a thread, in all; divided by tollgate_password_hashes_total it is the mean wait',
    collect () {
      this.reset()
      this.inc(sources.passwordQueue().waitSeconds)
    }
  })
  counter({
    name: 'tollgate_password_hashes_total',
    help: 'Password hashes and verifications started',
    collect () {
      this.reset()
      this.inc(sources.passwordQueue().started)
    }
  })
  gauge({
    name: 'tollgate_dependency_up',
    help: 'Whether a dependency answered within a second when scraped: 1 up, 0 down (Redis is absent unless configured)',
    labelNames: ['dependency'],
    async collect () {
      const { database, redis } = await sources.probe()
      this.set({ dependency: 'database' }, database === 'ok' ? 1 : 0)
      if (redis !== 'not configured') this.set({ dependency: 'redis' }, redis === 'ok' ? 1 : 0)
    }
  })
  const stopRuntime = registerRuntimeMetrics(registry)

  return {
    /** Called once per answered request, from the onResponse hook. */
    requests,
    tokenIssued: (grant: Grant): void => { issued.labels(grant).inc() },
    loginFailed: (grant: Grant): void => { loginsFailed.labels(grant).inc() },
    loginThrottled: (by: ThrottleKey): void => { throttled.labels(by).inc() },
    refreshRefused: (reason: string): void => { refreshRefused.labels(reason).inc() },
    /** `reason` is a code from a fixed set (see the auth plugin's `onReject`). */
    tokenRejected: (reason: string): void => { rejected.labels(reason).inc() },
    contentType: registry.contentType,
    /** Everything, in Prometheus text format. */
    async render (): Promise<string> {
      return `${await registry.metrics()}\n${requests.render()}`
    },
    close: stopRuntime
  }
}

export type Metrics = ReturnType<typeof createMetrics>
