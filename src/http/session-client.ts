import type { FastifyRequest } from 'fastify'
import type { SessionClient } from '../sessions/refresh-tokens.js'

/** What a login or refresh request says about where it comes from, for the session list. */
export const sessionClient = (request: FastifyRequest): SessionClient => ({
  userAgent: request.headers['user-agent'],
  address: request.ip
})
