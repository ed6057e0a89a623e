import type { CaseLoad } from './case.js'
import { measure } from './measure.js'
import { CODE_CLIENT, CODE_REDIRECT_URI, MAX_MINTED } from './fixtures.js'
import type { BenchServer } from './processes.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const form = (parameters: Record<string, string>): string => new URLSearchParams(parameters).toString()

/** `count` credentials the bench server makes in its own process (servers/tollgate.ts), no login each. */
async function minted<T> (server: BenchServer, path: string, count: number): Promise<T[]> {
  const all: T[] = []
  while (all.length < count) {
    const response = await fetch(`${server.url}${path}?count=${Math.min(MAX_MINTED, count - all.length)}`, { method: 'POST' })
    if (response.status !== 200) throw new Error(`${server.name}: ${path} answered ${response.status} ${await response.text()}`)
    all.push(...await response.json() as T[])
  }
  return all
}

/**
 * Grants that spend a one-use credential of the user's: a pool the server makes before each measurement,
 * each sent once. Should the server outrun the pool, spent ones are sent again and refused, which the
 * run reports as failed requests rather than measuring something else.
 */
function oneUse<T> (server: BenchServer, path: string, body: (credential: T) => string): CaseLoad {
  let bodies: string[] = []
  let next = 0
  const url = `${server.url}/auth/token`
  return {
    async prepare (requests) {
      bodies = (await minted<T>(server, path, requests)).map(body)
      next = 0
    },
    run: (options) => measure({ url, method: 'POST', headers: FORM, body: () => bodies[next++ % bodies.length] ?? '', ...options })
  }
}

/** Refresh token grants (RFC 6749 §6): each request rotates one session's refresh token. */
export const refreshLoad = (server: BenchServer): CaseLoad =>
  oneUse<string>(server, '/bench/refresh-tokens', (token) => form({ grant_type: 'refresh_token', refresh_token: token }))

/**
 * Authorization code grants (RFC 6749 §4.1.3) of a public client with PKCE (RFC 7636): each request
 * redeems one code with its verifier, as an app does on coming back from the sign-in page. Codes live
 * a minute (CODE_TTL_MS), which bounds how long one measurement of this case may be.
 */
export const codeLoad = (server: BenchServer): CaseLoad =>
  oneUse<{ code: string, verifier: string }>(server, '/bench/codes', ({ code, verifier }) =>
    form({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: CODE_REDIRECT_URI, client_id: CODE_CLIENT }))
