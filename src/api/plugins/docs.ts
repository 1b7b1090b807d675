/**
 * OpenAPI from the route schemas (`/docs/json`) and Swagger UI (`/docs`). Registered before the routes so
 * its onRoute hook sees every one of them.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

export const docsPlugin = fp<{ publicBaseUrl: string }>(
  async (app, opts) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Aftercare API',
          version: '1.0.0',
          description:
            'After-sales service requests. Integrations start and read requests, technicians report ' +
            'progress on requests assigned to them, ops dispatch, hold, follow up and cancel. Customers rate ' +
            'through the signed link in their SMS (`/r/{token}`). Guides in the Aftercare repository: ' +
            '`docs/api.md` (this API, with examples) and `docs/lifecycle.md` (statuses, allowed actions, deadlines). ' +
            'Errors are JSON `{ error, message, details }`; besides the answers listed per operation, an unknown path ' +
            'answers 404 and a known path asked with a method it does not have answers 405 with `Allow`.',
        },
        servers: [{ url: opts.publicBaseUrl }],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token from AFTERCARE_TOKENS' } },
        },
        tags: [
          { name: 'service-requests', description: 'Start, read and list requests' },
          { name: 'customers', description: "A customer's requests, found by their phone (ops)" },
          { name: 'transitions', description: 'Lifecycle actions (workflow updates)' },
          { name: 'photos', description: 'Evidence uploads' },
          { name: 'feedback', description: 'Customer rating' },
          { name: 'quotes', description: "The customer's decision on a quote (signed link)" },
          { name: 'health', description: 'Liveness and readiness' },
        ],
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // Swagger UI sets a few inline styles; and a plain-http deployment must not be told to upgrade requests.
      transformStaticCSP: (header) => {
        let csp = header.replace(/style-src ([^;]*)/, (m, v: string) =>
          v.includes("'unsafe-inline'") ? m : `style-src ${v.trim()} 'unsafe-inline'`,
        );
        if (!opts.publicBaseUrl.startsWith('https:')) csp = csp.replace(/\s*upgrade-insecure-requests;?/, '');
        return csp;
      },
      uiConfig: { docExpansion: 'list', deepLinking: false },
    });
  },
  { name: 'aftercare-docs', fastify: '5.x' },
);
