import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface MetricsServerOptions {
  host: string
  port: number
  contentType: string
  render: () => Promise<string>
  /** Where a scrape that failed is told to the operator; the scraper sees only a 500. */
  log: { error (details: object, message: string): void }
}

export interface MetricsServer {
  /** `http://host:port/metrics` as bound (the port is the real one when 0 was asked for). */
  url: string
  close: () => Promise<void>
}

/**
 * The second listener: `GET /metrics` and nothing else. It is plain node:http, not a Fastify instance,
 * so none of the API's hooks, guards or routes exist on it and it never shows up in its own metrics.
 */
export async function startMetricsServer (options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?', 1)[0]
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n')
      return
    }
    options.render().then((text) => {
      response.writeHead(200, { 'content-type': options.contentType, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : text)
    }, (error: unknown) => {
      options.log.error({ err: error }, 'could not collect the metrics for a scrape')
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Could not collect the metrics\n')
    })
  })
  // A scraper keeps its connection between scrapes; closing must not wait for it.
  server.keepAliveTimeout = 5000
  server.listen(options.port, options.host)
  // once() rejects with the 'error' event instead (an address in use, a host that does not resolve).
  await once(server, 'listening')
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}/metrics`,
    async close () {
      server.closeAllConnections()
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
