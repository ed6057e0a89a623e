import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'

export type ProxyState = 'open' | 'cut' | 'frozen'

export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number
  readonly state: ProxyState
  /** Destroys every open connection and refuses new ones, as a service that went away would. */
  cut (): void
  /**
   * Stops forwarding but keeps every connection open and accepts new ones, as a network that drops
   * packets would: clients wait for answers that never come.
   */
  freeze (): void
  /**
   * Forwards new connections again. Connections that lived through a freeze are destroyed (their byte
   * streams have gaps); the ones cut stay closed. Either way clients reconnect.
   */
  restore (): void
  /** Stops listening and destroys every connection. */
  close (): Promise<void>
}

/**
 * A TCP forwarder on 127.0.0.1 that a test points a client at instead of the real service, so the test
 * can take the service away from that client alone (cut or frozen) and give it back. While cut, new
 * connections are accepted and closed at once, which clients see as the service going away.
 */
export async function startTcpProxy (target: { host: string, port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>()
  let state: ProxyState = 'open'

  const track = (socket: Socket): Socket => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    // A reset is expected when either side goes away; it must not end the test process.
    socket.on('error', () => {})
    return socket
  }

  /** Copies bytes from one side to the other while the proxy is open; drops them while frozen. */
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => { if (state === 'open') to.write(chunk) })
    from.on('end', () => to.end())
    from.on('close', () => to.destroy())
  }

  const server = createServer((client) => {
    track(client)
    if (state === 'cut') {
      client.destroy()
      return
    }
    // While frozen a new connection is accepted and then hears nothing.
    if (state === 'frozen') return
    const upstream = track(createConnection(target))
    forward(client, upstream)
    forward(upstream, client)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  // destroy(), not resetAndDestroy(): with resets, Node 20 was seen to leave the event loop spinning
  // after the test, so the test process never exited.
  function destroyAll (): void {
    for (const socket of open) socket.destroy()
    open.clear()
  }

  return {
    port,
    get state () { return state },
    cut () {
      state = 'cut'
      destroyAll()
    },
    freeze () {
      state = 'frozen'
    },
    restore () {
      if (state === 'frozen') destroyAll()
      state = 'open'
    },
    async close () {
      state = 'cut'
      destroyAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
