import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

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
        { name: 'users', description: 'The signed-in user' },
        { name: 'admin', description: 'Administration (role `admin`)' },
        { name: 'meta', description: 'Health and public keys' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Paste an access token.' },
          oauth2: {
            type: 'oauth2',
            description: 'Sign in with a username and password.',
            flows: { password: { tokenUrl: '/auth/token', scopes: {} } }
          }
        }
      }
    },
    // Name shared schemas after their $id instead of def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  await fastify.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: true, deepLinking: true, tryItOutEnabled: true },
    staticCSP: true
  })
}, { name: 'openapi', dependencies: ['auth'] })
