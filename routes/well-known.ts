import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

/** Only public members are declared, so the serializer could not emit a private one even by mistake. */
const Jwk = Type.Object({
  kty: Type.String(),
  kid: Type.String(),
  use: Type.Literal('sig'),
  alg: Type.String(),
  n: Type.Optional(Type.String()),
  e: Type.Optional(Type.String()),
  crv: Type.Optional(Type.String()),
  x: Type.Optional(Type.String()),
  y: Type.Optional(Type.String())
})

const wellKnown: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/.well-known/jwks.json', {
    schema: {
      tags: ['meta'],
      summary: 'Public keys that verify Tollgate\'s access tokens (RFC 7517): the signing key and retired keys whose ' +
        'tokens may still be live; empty while tokens are HMAC-signed',
      response: { 200: Type.Object({ keys: Type.Array(Jwk) }) }
    }
  }, async function (_request, reply) {
    // Five minutes: verifiers meeting a new kid fetch again anyway, and a retired key lingers harmlessly.
    return reply.header('cache-control', 'public, max-age=300').send({ keys: fastify.tokens.publicKeys() })
  })
}

export default wellKnown
