import type { CaseLoad } from './case.js'
import { measure } from './measure.js'
import type { BenchServer } from './processes.js'
import type { BenchClients } from './grants.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * RFC 7662 introspections against one server: `bench-basic` gets a token with the client credentials
 * grant once, then asks about it again and again, authenticated with its secret as a gateway would.
 */
export async function introspectionLoad (server: BenchServer, clients: BenchClients): Promise<CaseLoad> {
  const authorization = `Basic ${Buffer.from(`bench-basic:${clients.secret}`).toString('base64')}`
  const grant = await fetch(`${server.url}${server.info.tokenPath ?? '/auth/token'}`, {
    method: 'POST', headers: { ...FORM, authorization }, body: 'grant_type=client_credentials'
  })
  if (grant.status !== 200) throw new Error(`${server.name}: the introspection benchmark's grant answered ${grant.status} ${await grant.text()}`)
  const { access_token: token } = await grant.json() as { access_token: string }
  const request = {
    url: `${server.url}${server.info.introspectionPath ?? '/auth/introspect'}`,
    method: 'POST' as const,
    headers: { ...FORM, authorization },
    body: new URLSearchParams({ token }).toString()
  }
  return { run: (options) => measure({ ...request, ...options }) }
}
