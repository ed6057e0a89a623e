import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'

export type ProxyState = 'open' | 'cut' | 'frozen'

export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number
  readonly state: ProxyState
  /** Destroys every open connection and refuses new ones, as a service that went away would. */
  cut (): void
  /**
   * Stops reading from either side but keeps every connection open and accepts new ones, as a network
   * that stalls would: clients wait for answers, and TCP holds what they sent.
   */
  freeze (): void
  /** Forwards again: after a freeze, what was held is delivered; after a cut, clients reconnect. */
  restore (): void
  /** Stops listening and destroys every connection. */
  close (): Promise<void>
}

/**
 * A TCP forwarder on 127.0.0.1 that a test points a client at instead of the real service, so the test
 * can take the service away from that client alone (cut, or frozen in a stall) and give it back. While
 * cut, new connections are accepted and closed at once, which clients see as the service going away.
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

  /** Copies bytes from one side to the other; a frozen proxy reads nothing, so TCP holds the bytes. */
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => to.write(chunk))
    from.on('end', () => to.end())
    from.on('close', () => to.destroy())
    if (state === 'frozen') from.pause()
  }

  const server = createServer((client) => {
    track(client)
    if (state === 'cut') {
      client.destroy()
      return
    }
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
      for (const socket of open) socket.pause()
    },
    restore () {
      state = 'open'
      for (const socket of open) socket.resume()
    },
    async close () {
      state = 'cut'
      destroyAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
