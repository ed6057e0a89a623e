/**
 * Upper bounds of the latency buckets, in seconds: a protected request answers in well under a
 * millisecond, a login (argon2id) in tens of milliseconds, a store that stalls in seconds.
 */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const

/** The route label of a request no route matched: a raw URL would let any client add a series. */
export const UNMATCHED_ROUTE = 'unmatched'

interface Series {
  /** Observations per bucket, not cumulative; the last slot holds those above every bound. */
  buckets: Float64Array
  sum: number
  count: number
}

/** A label value in the text format: backslash, double quote and line feed are escaped. */
export const escapeLabel = (value: string): string => value.replace(/[\\"\n]/g, (c) => c === '\n' ? '\\n' : `\\${c}`)

/**
 * A Prometheus histogram of request durations by method, route template and status. prom-client's
 * own Histogram validates and hashes its labels on every observation (about 340 ns measured here, 2%
 * of a protected request); this one finds a series with three Map lookups and counts into an array,
 * which costs a few nanoseconds, and writes the same text format when scraped.
 */
export class RequestDurations {
  readonly #byRoute = new Map<string, Map<string, Map<number, Series>>>()

  constructor (readonly name: string, readonly help: string) {}

  /** `route` is the matched route's template, undefined when none matched. */
  observe (method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const routeKey = route ?? UNMATCHED_ROUTE
    let byMethod = this.#byRoute.get(routeKey)
    if (byMethod === undefined) this.#byRoute.set(routeKey, byMethod = new Map())
    let byStatus = byMethod.get(method)
    if (byStatus === undefined) byMethod.set(method, byStatus = new Map())
    let series = byStatus.get(statusCode)
    if (series === undefined) byStatus.set(statusCode, series = { buckets: new Float64Array(DURATION_BUCKETS.length + 1), sum: 0, count: 0 })
    let bucket = 0
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++
    series.buckets[bucket]!++
    series.sum += seconds
    series.count++
  }

  /** The histogram in Prometheus text format (version 0.0.4), cumulative buckets as the format wants. */
  render (): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const [route, byMethod] of this.#byRoute) {
      for (const [method, byStatus] of byMethod) {
        for (const [statusCode, series] of byStatus) {
          const labels = `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status_code="${statusCode}"`
          let cumulative = 0
          DURATION_BUCKETS.forEach((bound, i) => {
            cumulative += series.buckets[i]!
            lines.push(`${this.name}_bucket{${labels},le="${bound}"} ${cumulative}`)
          })
          lines.push(`${this.name}_bucket{${labels},le="+Inf"} ${series.count}`)
          lines.push(`${this.name}_sum{${labels}} ${series.sum}`)
          lines.push(`${this.name}_count{${labels}} ${series.count}`)
        }
      }
    }
    return lines.join('\n') + '\n'
  }
}
