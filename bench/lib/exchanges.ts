import type { CaseLoad } from './case.js'
import { EXCHANGE_TARGET } from './fixtures.js'
import { measure } from './measure.js'
import type { BenchServer } from './processes.js'
import type { BenchClients } from './grants.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * RFC 8693 token exchanges against one server: `bench-basic`, authenticated with its secret as in the
 * client credentials case, trades the user's login token for one to EXCHANGE_TARGET again and again, as a
 * gateway trades each request's token. Each exchange verifies the subject token and signs a new one.
 */
export function exchangeLoad (server: BenchServer, clients: BenchClients): CaseLoad {
  const subjectToken = server.info.token
  if (subjectToken === undefined) throw new Error(`${server.name}: no user token to exchange`)
  const request = {
    url: `${server.url}${server.info.tokenPath ?? '/auth/token'}`,
    method: 'POST' as const,
    headers: { ...FORM, authorization: `Basic ${Buffer.from(`bench-basic:${clients.secret}`).toString('base64')}` },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      resource: EXCHANGE_TARGET
    }).toString()
  }
  return { run: (options) => measure({ ...request, ...options }) }
}
