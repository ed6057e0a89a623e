import { JWT_BEARER_ASSERTION_TYPE } from '../clients/client-assertion.js'
import { JWT_SPIFFE_ASSERTION_TYPE } from '../clients/federated-assertion.js'
import { SCOPES } from '../tokens/scopes.js'
import type { Config } from '../config/schema.js'
import { tokenEndpointUrl } from '../config/urls.js'
import { TOKEN_EXCHANGE_GRANT } from '../oauth/grants/token-exchange.js'

/** The client authentication methods the token, introspection and revocation endpoints accept. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt']

/**
 * What a `private_key_jwt` assertion may be signed with: one algorithm per key type (client-keys.ts). A
 * workload's token may also be PS256 (FEDERATED_ALGORITHMS), which a client's own key never signs.
 */
const ASSERTION_ALGORITHMS = ['RS256', 'ES256', 'EdDSA']

/**
 * RFC 8414 §2 authorization server metadata, built once from the configuration: every URL from
 * PUBLIC_URL, so a client that knows only the issuer finds everything else.
 */
export function authorizationServerMetadata (config: Config) {
  const url = (path: string): string => `${config.PUBLIC_URL}${path}`
  return {
    issuer: config.JWT_ISSUER,
    authorization_endpoint: url('/auth/authorize'),
    token_endpoint: tokenEndpointUrl(config),
    jwks_uri: url('/.well-known/jwks.json'),
    introspection_endpoint: url('/auth/introspect'),
    revocation_endpoint: url('/auth/revoke'),
    // Not an RFC member: Server-Sent Events of every revocation, for relying services (tollgate/auth).
    revocation_feed_endpoint: url('/auth/revocations'),
    scopes_supported: Object.keys(SCOPES),
    response_types_supported: ['code'],
    // RFC 7636: `plain` is refused (RFC 9700 §2.1.1).
    code_challenge_methods_supported: ['S256'],
    // RFC 9207: the authorization response names its issuer, against mix-up attacks.
    authorization_response_iss_parameter_supported: true,
    grant_types_supported: [...(config.PASSWORD_GRANT ? ['password'] : []), 'authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT],
    // `none`: a public client exchanges its code with its client_id alone (RFC 8414 §2).
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    // Not an RFC member: the assertions `private_key_jwt` takes, a client's own or a workload's token
    // (workload identity federation), the latter also as a JWT-SVID (draft-ietf-oauth-spiffe-client-auth).
    client_assertion_types_supported: [JWT_BEARER_ASSERTION_TYPE, JWT_SPIFFE_ASSERTION_TYPE],
    // Required beside private_key_jwt (RFC 8414 §2); `none` and HMAC are never accepted.
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    // `none`: a user's own token is revoked by presenting it, with no client.
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    service_documentation: url('/docs')
  }
}

export type AuthorizationServerMetadata = ReturnType<typeof authorizationServerMetadata>

/**
 * Where the metadata is served (RFC 8414 §3): the well-known path, with the issuer's own path, if it has
 * one, after it.
 */
export function metadataPaths (issuer: string): string[] {
  let path = ''
  try {
    path = new URL(issuer).pathname.replace(/\/+$/, '')
  } catch {
    // An issuer that is not a URL (allowed outside production) has no path.
  }
  const base = '/.well-known/oauth-authorization-server'
  return path === '' ? [base] : [base, `${base}${path}`]
}
