import { request, type IncomingHttpHeaders } from 'node:http'

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
  json (): any
}

export interface RequestOptions {
  headers?: Record<string, string>
  /** Sent as a JSON body. */
  json?: unknown
  /** Sent as a form-encoded body, as `curl -d` does. */
  form?: Record<string, string>
}

/**
 * A minimal HTTP client for a Tollgate process. Each client connects from its own loopback address
 * (127.0.0.0/8 is all local), so per-address login budgets of one scenario do not leak into another.
 * No keep-alive: nothing stays open after a test.
 */
export function httpClient (baseUrl: string, localAddress = '127.0.0.1') {
  const base = new URL(baseUrl)

  function send (method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const [payload, type] = options.form !== undefined
      ? [new URLSearchParams(options.form).toString(), 'application/x-www-form-urlencoded']
      : options.json !== undefined ? [JSON.stringify(options.json), 'application/json'] : [undefined, undefined]
    return new Promise((resolve, reject) => {
      const req = request({
        host: base.hostname,
        port: base.port,
        method,
        path,
        localAddress,
        agent: false,
        timeout: 10_000,
        headers: {
          ...(type === undefined ? {} : { 'content-type': type }),
          ...options.headers
        }
      }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new Error(`${method} ${baseUrl}${path} got no answer within 10 s`)))
      req.on('error', reject)
      req.end(payload)
    })
  }

  return {
    url: baseUrl,
    get: (path: string, options?: RequestOptions) => send('GET', path, options),
    post: (path: string, options?: RequestOptions) => send('POST', path, options),
    put: (path: string, options?: RequestOptions) => send('PUT', path, options),
    delete: (path: string, options?: RequestOptions) => send('DELETE', path, options)
  }
}

export type HttpClient = ReturnType<typeof httpClient>
