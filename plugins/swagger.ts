import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyReply, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { SCOPES } from '../src/tokens/scopes.js'
import { DOCS_CLIENT_ID } from './docs-client.js'
import { documentHeaders } from './security-headers.js'

/**
 * The docs page's own policy: everything from this origin, nothing inline. Not `staticCSP: true`, whose
 * `upgrade-insecure-requests` sends browsers (Safari even on localhost) to https for the page's scripts
 * when Tollgate is served over plain http, which leaves a blank page.
 */
const DOCS_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"]
}

/** `GET /users/me` becomes `getUsersMe`: stable names for generated clients and Swagger UI's deep links. */
function operationId (method: string | string[], url: string): string {
  const words = [...[method].flat(), ...url.split(/[^A-Za-z0-9]+/)].filter((word) => word !== '').map((word) => word.toLowerCase())
  return words.map((word, i) => i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)).join('')
}

/**
 * The OpenAPI document and Swagger UI. Security schemes are declared once here; which route needs which
 * follows from each route's `config.auth` (plugins/auth.ts), so the document cannot drift from the code.
 */
export default fp(async function openapi (fastify) {
  // RFC 9700 §2.4: people sign in on Tollgate's own page (authorization code with PKCE), listed first so
  // Swagger UI offers it first; the password flow only while PASSWORD_GRANT allows it.
  const password = fastify.config.PASSWORD_GRANT ? { password: { tokenUrl: '/auth/token', scopes: {} } } : {}
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tollgate',
        description: 'JWT authorization: get a token from `/auth/token` or `/auth/login`, then click **Authorize**.',
        version: '0.1.0'
      },
      tags: [
        { name: 'auth', description: 'Tokens and sessions' },
        { name: 'users', description: 'Users: the signed-in one, or any by id with a scope' },
        { name: 'sessions', description: 'Your sessions: one per login, each can be ended on its own' },
        { name: 'admin', description: 'Administration (role `admin`)' },
        { name: 'meta', description: 'Health and public keys' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Paste an access token.' },
          clientBasic: { type: 'http', scheme: 'basic', description: 'A service client: its id and secret.' },
          oauth2: {
            type: 'oauth2',
            description: `Sign in on Tollgate's page (authorization code with PKCE, client \`${DOCS_CLIENT_ID}\`, no secret)` +
              (fastify.config.PASSWORD_GRANT ? ', with a username and password,' : '') + ' or as a service client with its id and secret.',
            flows: {
              authorizationCode: { authorizationUrl: '/auth/authorize', tokenUrl: '/auth/token', scopes: {} },
              ...password,
              clientCredentials: { tokenUrl: '/auth/token', scopes: { ...SCOPES } }
            }
          }
        }
      }
    },
    // A route that names its own operationId keeps it.
    transform: ({ schema, url, route }) => ({ schema: { operationId: operationId(route.method, url), ...schema }, url }),
    // Name shared schemas after their $id instead of def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  // Swagger UI's sign-in window must keep its opener from the page to the redirect page, which reports the
  // code to it: the static files (that page among them) get the pages' opener policy, and so does the
  // sign-in page (routes/auth/authorize.ts). Browsers put a window whose policy changes in a new group.
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/docs/static')) return
    const sameOpener = (_request: unknown, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
      reply.header('cross-origin-opener-policy', 'same-origin')
      done()
    }
    route.onRequest = [...[route.onRequest ?? []].flat(), sameOpener]
  })
  await fastify.register(swaggerUi, {
    routePrefix: '/docs',
    // BaseLayout: Tollgate documents one API, so no top bar for loading another document.
    uiConfig: { layout: 'BaseLayout', persistAuthorization: true, deepLinking: true, tryItOutEnabled: true },
    // The redirect page is @fastify/swagger-ui's own, next to the page (see plugins/docs-client.ts).
    initOAuth: { clientId: DOCS_CLIENT_ID, usePkceWithAuthorizationCodeGrant: true },
    staticCSP: DOCS_CSP,
    uiHooks: { onRequest: documentHeaders }
  })
}, { name: 'openapi', dependencies: ['auth', 'docs-client'] })
