import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { authorizationServerMetadata, metadataPaths } from '../src/http/authorization-server-metadata.js'

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

const Names = Type.Array(Type.String())

const MetadataSchema = Type.Object({
  issuer: Type.String(),
  token_endpoint: Type.String(),
  jwks_uri: Type.String(),
  introspection_endpoint: Type.String(),
  revocation_endpoint: Type.String(),
  revocation_feed_endpoint: Type.String(),
  scopes_supported: Names,
  response_types_supported: Names,
  grant_types_supported: Names,
  token_endpoint_auth_methods_supported: Names,
  client_assertion_types_supported: Names,
  token_endpoint_auth_signing_alg_values_supported: Names,
  introspection_endpoint_auth_methods_supported: Names,
  introspection_endpoint_auth_signing_alg_values_supported: Names,
  revocation_endpoint_auth_methods_supported: Names,
  revocation_endpoint_auth_signing_alg_values_supported: Names,
  service_documentation: Type.String()
}, { additionalProperties: true })

const wellKnown: FastifyPluginAsyncTypebox = async function (fastify) {
  const metadata = authorizationServerMetadata(fastify.config)
  for (const url of metadataPaths(metadata.issuer)) {
    fastify.get(url, {
      schema: {
        tags: ['meta'],
        summary: 'Authorization server metadata (RFC 8414): the endpoints, methods and algorithms, found from the issuer alone',
        response: { 200: MetadataSchema }
      }
    }, async function (_request, reply) {
      return reply.header('cache-control', 'public, max-age=3600').send(metadata)
    })
  }

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
