import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { SCOPES } from '../src/tokens/scopes.js'
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
            description: 'Sign in with a username and password, or as a service client with its id and secret.',
            flows: {
              password: { tokenUrl: '/auth/token', scopes: {} },
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
  await fastify.register(swaggerUi, {
    routePrefix: '/docs',
    // BaseLayout: Tollgate documents one API, so no top bar for loading another document.
    uiConfig: { layout: 'BaseLayout', persistAuthorization: true, deepLinking: true, tryItOutEnabled: true },
    staticCSP: DOCS_CSP,
    uiHooks: { onRequest: documentHeaders }
  })
}, { name: 'openapi', dependencies: ['auth'] })
