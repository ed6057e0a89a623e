import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '@tollgate/auth/errors'
import { ClientAuthenticationMembers, OAuthErrorSchema, Password, RefreshToken, TokenResponseSchema, Username } from '../../src/http/schemas.js'
import { MAX_TOKEN_LENGTH } from '@tollgate/auth/tokens/claims'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { issueTokens } from '../../src/http/token-endpoint.js'

const Resource = Type.String({ maxLength: 2048 })
const Targets = (description: string) => Type.Optional(Type.Union([Resource, Type.Array(Resource, { maxItems: 16 })], { description }))
const PresentedToken = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH, description }))
const TokenType = (description: string) => Type.Optional(Type.String({ maxLength: 256, description }))

const TokenRequest = Type.Object({
  grant_type: Type.String({ description: '`password`, `refresh_token`, `client_credentials` or `urn:ietf:params:oauth:grant-type:token-exchange`' }),
  username: Type.Optional(Username),
  password: Type.Optional(Password),
  refresh_token: Type.Optional(RefreshToken),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  ...ClientAuthenticationMembers,
  resource: Targets('RFC 8707: the audience the token is for'),
  // RFC 8693 §2.1
  audience: Targets('RFC 8693: the service an exchanged token is for, as `resource`'),
  subject_token: PresentedToken('RFC 8693: the access token to exchange'),
  subject_token_type: TokenType('`urn:ietf:params:oauth:token-type:access_token`'),
  actor_token: PresentedToken('RFC 8693: an access token of the exchanging client itself'),
  actor_token_type: TokenType('`urn:ietf:params:oauth:token-type:access_token`, with `actor_token`'),
  requested_token_type: TokenType('`urn:ietf:params:oauth:token-type:access_token`, the only type issued')
})

const token: FastifyPluginAsyncTypebox = async function (fastify) {
  const { byType } = fastify.oauth.grants

  fastify.post('/token', {
    // Every error here, a body the parser or the schema refuses included, answers RFC 6749 §5.2's shape.
    config: { oauth: true },
    schema: {
      tags: ['auth'],
      summary: 'OAuth2 token endpoint (RFC 6749), form-encoded or JSON',
      description: 'Grant `password` (`username`, `password`), `refresh_token` (`refresh_token`) or ' +
        '`client_credentials` (client id and secret in HTTP Basic or the body, or a `private_key_jwt` assertion; ' +
        'optional `scope`, and `resource` for a token of another audience), or RFC 8693 token exchange ' +
        '(`urn:ietf:params:oauth:grant-type:token-exchange`: an authenticated client with the permission `token-exchange`, ' +
        '`subject_token` and `subject_token_type`, `resource` or `audience`, optional `scope` and `actor_token`). ' +
        'This is what Swagger UI\'s Authorize dialog calls.',
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: TokenRequest,
      response: {
        200: Type.Ref(TokenResponseSchema),
        400: Type.Ref(OAuthErrorSchema, { description: '`invalid_request`, `invalid_grant`, `invalid_scope`, `invalid_target`, `unauthorized_client` or `unsupported_grant_type`' }),
        401: Type.Ref(OAuthErrorSchema, { description: '`invalid_client`: unknown client, wrong secret, refused assertion or disabled client' }),
        429: errorResponse('Too many attempts for this username or from this address: see Retry-After')
      }
    }
  }, async function (request, reply) {
    const grant = byType.get(request.body.grant_type)
    if (grant === undefined) {
      throw new TollgateError('ERR_UNSUPPORTED_GRANT_TYPE', `Grant type "${request.body.grant_type.slice(0, 64)}" is not supported`)
    }
    return issueTokens(request, reply, grant, request.body)
  })
}

export default token
