import Fastify from 'fastify'
import { tollgateAuth } from '@tollgate/auth'

const app = Fastify({ logger: true })
await app.register(tollgateAuth, {
  // Tollgate's PUBLIC_URL: jwks_uri and the revocation feed are read from its metadata (RFC 8414)
  issuer: process.env.TOLLGATE_URL,
  audience: 'tollgate-api',
  // Follow Tollgate's revocations: a logout there is refused here within a second, with no request per
  // token (`npx tollgate client add orders-api --permissions revocations` makes the client)
  revocations: { clientId: 'orders-api', clientSecret: process.env.TOLLGATE_FEED_SECRET }
  // revocations.failClosedAfterMs: 60_000 — refuse every token (503) once the feed has been gone a minute
})

// Any valid access token; { roles: ['admin'] } or { scopes: ['orders:read'] } asks for more (403 otherwise)
app.get('/orders', { config: { auth: true } }, async (request) => {
  return { customer: request.user.sub, orders: [] }
})

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 4000) })
