import { once } from 'node:events'
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'
import t from 'tap'
import { startTcpProxy } from '../support/tcp-proxy.js'

/** An echo server, so what goes through the proxy can be seen coming back. */
async function echoServer (t: { teardown (fn: () => unknown): void }): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.pipe(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

/** Connects, sends `text`, and resolves with what came back before `close` (or '' if closed first). */
function exchange (port: number, text: string): Promise<{ echoed: string, closed: boolean, socket: Socket }> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let echoed = ''
    socket.setEncoding('utf8')
    socket.on('error', () => {})
    socket.on('data', (chunk: string) => {
      echoed += chunk
      if (echoed === text) resolve({ echoed, closed: false, socket })
    })
    socket.on('close', () => resolve({ echoed, closed: true, socket }))
    socket.write(text)
  })
}

t.test('the proxy forwards, cuts every connection, refuses new ones, and forwards again once restored', async (t) => {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: await echoServer(t) })
  t.teardown(() => proxy.close())

  const before = await exchange(proxy.port, 'hello')
  t.same([before.echoed, before.closed], ['hello', false], 'bytes go through both ways')

  const cutOff = once(before.socket, 'close')
  proxy.cut()
  t.equal(proxy.state, 'cut')
  await cutOff
  t.pass('an open connection is closed by the cut')

  const during = await exchange(proxy.port, 'anyone there?')
  t.same([during.echoed, during.closed], ['', true], 'a new connection is closed without an answer')

  proxy.restore()
  t.equal(proxy.state, 'open')
  const after = await exchange(proxy.port, 'back')
  t.same([after.echoed, after.closed], ['back', false], 'new connections go through again')
  after.socket.destroy()
})

t.test('a frozen proxy keeps connections open and holds their bytes, and restoring delivers them', async (t) => {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: await echoServer(t) })
  t.teardown(() => proxy.close())
  const before = await exchange(proxy.port, 'hello')
  t.equal(before.echoed, 'hello')

  proxy.freeze()
  t.equal(proxy.state, 'frozen')
  let heardBefore = ''
  let heardFresh = ''
  before.socket.on('data', (chunk: string) => { heardBefore += chunk })
  before.socket.write('still there?')
  const fresh = createConnection({ host: '127.0.0.1', port: proxy.port })
  fresh.on('error', () => {})
  fresh.setEncoding('utf8').on('data', (chunk: string) => { heardFresh += chunk })
  await once(fresh, 'connect')
  fresh.write('anyone?')
  // Nothing can prove that nothing will come; the echo server answers in well under this.
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.same([heardBefore, heardFresh], ['', ''], 'neither an open nor a new connection hears anything')
  t.notOk(before.socket.destroyed || fresh.destroyed, 'and both stay open')

  const delivered = Promise.all([
    new Promise<void>((resolve) => before.socket.on('data', () => { if (heardBefore === 'still there?') resolve() })),
    new Promise<void>((resolve) => fresh.on('data', () => { if (heardFresh === 'anyone?') resolve() }))
  ])
  proxy.restore()
  await delivered
  t.pass('restoring delivers what each side sent during the freeze')
  before.socket.destroy()
  fresh.destroy()
})
