import { createServer } from 'node:net'

/**
 * A port nothing listens on now, for a server whose own URL must be configured before it listens
 * (PUBLIC_URL, the issuer). Another process could take it in between; on loopback in a test that is rare.
 */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}
