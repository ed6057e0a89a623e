import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

const Jwk = Type.Object({
  kty: Type.String(),
  kid: Type.Optional(Type.String()),
  use: Type.Optional(Type.String()),
  alg: Type.Optional(Type.String())
}, { additionalProperties: true })

const wellKnown: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/.well-known/jwks.json', {
    schema: {
      tags: ['meta'],
      summary: 'Public keys that verify Tollgate\'s access tokens (RFC 7517); empty while tokens are HMAC-signed',
      response: { 200: Type.Object({ keys: Type.Array(Jwk) }) }
    }
  }, async function (_request, reply) {
    return reply.header('cache-control', 'public, max-age=300').send({ keys: [] })
  })
}

export default wellKnown
