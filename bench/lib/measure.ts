import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  headers?: Record<string, string>
  /** Bearer tokens sent in turn, one a request (a new one each time, so no cache can answer). */
  tokens?: string[]
  method?: 'GET' | 'POST'
  /** The same body every time, or a new one for each request (a client assertion is accepted once). */
  body?: string | (() => string)
  connections: number
  durationSeconds: number
  /** Requests per second across all connections; unset means as fast as the server answers. */
  overallRate?: number
  /** The status every answer should have (default: any 2xx). */
  expectStatus?: number
}

export interface Measurement {
  requestsPerSecond: number
  p50: number
  p99: number
  non2xx: number
  /** Answers without the expected status, plus errors and timeouts. */
  unexpected: number
  errors: number
  total: number
}

/** autocannon's per-request hook, setting a fresh body (autocannon then sets its length). */
const withBody = (body: () => string) => (request: autocannon.Request): autocannon.Request => ({ ...request, body: body() })

/** Sends each request with the next of `tokens`, round and round. */
function rotating (tokens: string[]): autocannon.Request[] {
  let next = 0
  return [{
    setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length] ?? ''}` } })
  }]
}

export async function measure (options: LoadOptions): Promise<Measurement> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(typeof options.body === 'string' ? { body: options.body } : {}),
    ...(typeof options.body === 'function' ? { requests: [{ setupRequest: withBody(options.body) }] } : {}),
    ...(options.tokens === undefined ? {} : { requests: rotating(options.tokens) }),
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate })
  })
  const errors = result.errors + result.timeouts
  const expected = options.expectStatus === undefined
    ? result.requests.total - result.non2xx
    : result.statusCodeStats?.[`${options.expectStatus}`]?.count ?? 0
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    unexpected: Math.max(0, result.requests.total - expected) + errors,
    errors,
    total: result.requests.total
  }
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
