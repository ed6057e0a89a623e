import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'

export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number
  /** Whether connections are being refused. */
  readonly isCut: boolean
  /** Destroys every open connection and refuses new ones, as a service that went away would. */
  cut (): void
  /** Forwards new connections again (the ones cut stay closed: clients reconnect). */
  restore (): void
  /** Stops listening and destroys every connection. */
  close (): Promise<void>
}

/**
 * A TCP forwarder on 127.0.0.1 that a test points a client at instead of the real service, so the test
 * can take the service away from that client alone and give it back. While cut, new connections are
 * accepted and closed at once, which clients see as the service going away.
 */
export async function startTcpProxy (target: { host: string, port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>()
  let cut = false

  const track = (socket: Socket): Socket => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    // A reset is expected when either side goes away; it must not end the test process.
    socket.on('error', () => {})
    return socket
  }

  const server = createServer((client) => {
    track(client)
    if (cut) {
      client.destroy()
      return
    }
    const upstream = track(createConnection(target))
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
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
    get isCut () { return cut },
    cut () {
      cut = true
      destroyAll()
    },
    restore () {
      cut = false
    },
    async close () {
      cut = true
      destroyAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
