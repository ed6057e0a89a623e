import fp from 'fastify-plugin'
import { TollgateError } from '@tollgate/auth/errors'

/** The public client Swagger UI signs in as (plugins/swagger.ts). */
export const DOCS_CLIENT_ID = 'tollgate-docs'

/** Where @fastify/swagger-ui's page sends the code: its own redirect page, under the docs' prefix. */
export const docsRedirectUri = (publicUrl: string): string => `${publicUrl}/docs/static/oauth2-redirect.html`

/**
 * Tollgate's own docs are a public client (authorization code with PKCE), created at start if missing and
 * pointed at PUBLIC_URL's redirect page if PUBLIC_URL changed. Several instances starting at once may
 * all try: the one that loses finds the client there. A PUBLIC_URL that is neither https nor loopback
 * cannot receive codes (RFC 8252 §7.3): the docs then offer the other ways to sign in.
 */
export default fp(async function docsClient (fastify) {
  const { repository, directory } = fastify.clients
  const redirectUri = docsRedirectUri(fastify.config.PUBLIC_URL)
  const current = directory.get(DOCS_CLIENT_ID)
  if (current !== undefined && current.redirectUris.length === 1 && current.redirectUris[0] === redirectUri) return
  try {
    if (current === undefined) await repository.create({ id: DOCS_CLIENT_ID, scopes: [], public: true, redirectUris: [redirectUri] })
    else await repository.update(DOCS_CLIENT_ID, { redirectUris: [redirectUri] })
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'ERR_INVALID_ARGUMENT') {
      fastify.log.warn({ err: error }, `the docs cannot sign in with the authorization code flow: ${error.message}`)
      return
    }
    // Another instance created it first (ERR_CLIENT_EXISTS, or the primary key when both checked at once).
    await directory.refresh(DOCS_CLIENT_ID)
    if (directory.get(DOCS_CLIENT_ID) === undefined) throw error
  }
}, { name: 'docs-client', dependencies: ['clients'] })
