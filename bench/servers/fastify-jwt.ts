import fastifyJwt from '@fastify/jwt'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { announce, stats } from './report.js'

/**
 * The peer a Fastify team would write by hand: @fastify/jwt configured as tightly as Tollgate (one
 * algorithm, issuer and audience required) and the `authenticate` hook from its README.
 */
const app = Fastify()
await app.register(fastifyJwt, {
  secret: process.env.JWT_SECRET ?? '',
  verify: { algorithms: ['HS256'], allowedIss: 'tollgate', allowedAud: 'tollgate-api', cache: process.env.BENCH_VERIFY_CACHE === '1' }
})
async function authenticate (request: FastifyRequest, reply: FastifyReply) {
  try {
    await request.jwtVerify()
  } catch (error) {
    return reply.send(error)
  }
}
const Body = { response: { 200: { type: 'object', properties: { sub: { type: 'string' } } } } }
app.get('/bench/open', { schema: Body }, async () => ({ sub: 'anonymous-caller-0000000000000000000' }))
app.get('/bench/protected', { schema: Body, onRequest: [authenticate] }, async (request) => ({ sub: (request.user as { sub: string }).sub }))
app.get('/bench/stats', async (request) => stats((request.query as { reset?: string }).reset === '1'))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0)
