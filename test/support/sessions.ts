import type { FastifyInstance } from 'fastify'
import { bearer, type TestUser } from '../helper.js'

export interface Pair { access_token: string, refresh_token: string }

/** A login through the JSON endpoint, from a program that says it is `userAgent`. */
export async function loginPair (app: FastifyInstance, user: Pick<TestUser, 'username' | 'password'>, userAgent = 'tap'): Promise<Pair> {
  const response = await app.inject({
    method: 'POST', url: '/auth/login', headers: { 'user-agent': userAgent }, payload: { username: user.username, password: user.password }
  })
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** The status GET /users/me answers with this access token: 200 while it works, 401 once it has ended. */
export const meStatus = async (app: FastifyInstance, token: string): Promise<number> =>
  (await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode

/** The status of exchanging this refresh token: 200 while its session lives. */
export const refreshStatus = async (app: FastifyInstance, token: string): Promise<number> =>
  (await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: token } })).statusCode

export const loginStatus = async (app: FastifyInstance, username: string, password: string): Promise<number> =>
  (await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })).statusCode
