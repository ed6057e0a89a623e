import { Type } from '@sinclair/typebox'
import { MAX_TOKEN_LENGTH } from '@tollgate/auth/tokens/claims'
import { JWT_BEARER_ASSERTION_TYPE } from '../clients/client-assertion.js'
import { ErrorCode } from '@tollgate/auth/http/error-schema'

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  roles: Type.Array(Type.String())
}, { $id: 'User', title: 'User' })

export const TokenResponseSchema = Type.Object({
  access_token: Type.String({ description: 'A signed JWT: send it as `Authorization: Bearer <access_token>`' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  refresh_token: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  issued_token_type: Type.Optional(Type.String({ description: 'RFC 8693 §2.2.1: on a token exchange\'s answer, the type of token issued' }))
}, { $id: 'TokenResponse', title: 'TokenResponse' })

/** Bounds on credentials: enough for any real name or passphrase, small enough to refuse abuse early. */
export const Username = Type.String({ minLength: 1, maxLength: 64 })
export const Password = Type.String({ minLength: 1, maxLength: 1024 })
export const RefreshToken = Type.String({ minLength: 1, maxLength: 256 })

/** RFC 6749 §5.2: the token endpoint's error body (with Fastify's fields alongside). */
export const OAuthErrorSchema = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
  statusCode: Type.Integer(),
  message: Type.String(),
  code: ErrorCode
}, { $id: 'OAuthError', title: 'OAuthError' })

/**
 * The body members a client authenticates with wherever it may (RFC 6749 §2.3.1, RFC 7523 §2.2): its id
 * and secret, or a signed assertion.
 */
export const ClientAuthenticationMembers = {
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
  client_secret: Type.Optional(Type.String({ maxLength: 1024 })),
  client_assertion_type: Type.Optional(Type.String({ maxLength: 256, description: `\`${JWT_BEARER_ASSERTION_TYPE}\` for \`private_key_jwt\`` })),
  client_assertion: Type.Optional(Type.String({ maxLength: MAX_TOKEN_LENGTH, description: 'A JWT signed by the client\'s key (RFC 7523 §2.2)' }))
}

/** The form RFC 7662 §2.1 and RFC 7009 §2.1 share: the token, a hint, and the client's own credentials. */
export const TokenPresentation = Type.Object({
  token: Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
  token_type_hint: Type.Optional(Type.String({ maxLength: 64, description: '`access_token` or `refresh_token`: not needed, their shapes differ' })),
  ...ClientAuthenticationMembers
})
