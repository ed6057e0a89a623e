import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

/** A PKCE pair (RFC 7636 §4.1, §4.2), written out here rather than taken from the code under test. */
export function pkce (): { verifier: string, challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** The sealed request the sign-in form carries, read from the page as a browser would post it. */
export function hiddenRequest (page: string): string {
  const found = /name="request" value="([^"]*)"/.exec(page)
  if (found?.[1] === undefined) throw new Error(`no sign-in form in: ${page.slice(0, 300)}`)
  return found[1].replace(/&amp;/g, '&')
}

export const authorizeUrl = (query: Record<string, string>): string => `/auth/authorize?${new URLSearchParams(query).toString()}`

/** Posts the sign-in form as a browser would. */
export const postSignIn = async (app: FastifyInstance, fields: Record<string, string>): Promise<LightMyRequestResponse> => app.inject({
  method: 'POST',
  url: '/auth/authorize',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString()
})

/** Opens the sign-in page for `query` and signs in; returns the answer to the post (a redirect when it worked). */
export async function signIn (app: FastifyInstance, query: Record<string, string>, username: string, password: string): Promise<LightMyRequestResponse> {
  const page = await app.inject({ url: authorizeUrl(query) })
  if (page.statusCode !== 200) throw new Error(`no sign-in page: ${page.statusCode} ${page.headers.location ?? page.body.slice(0, 300)}`)
  return postSignIn(app, { request: hiddenRequest(page.body), username, password })
}

/** The parameters of a redirect's location. */
export const redirectParameters = (response: LightMyRequestResponse): URLSearchParams => new URL(String(response.headers.location)).searchParams
