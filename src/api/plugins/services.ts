/** Decorates the instance with the shared services every route plugin uses (the Temporal port above all). */
import fp from 'fastify-plugin';
import type { PhotoStorage } from '../../adapters/storage/types';
import type { Catalogue } from '../../catalogue';
import type { ServiceRequestsPort } from '../port';

export interface Services {
  requests: ServiceRequestsPort;
  storage: PhotoStorage;
  /** Milliseconds since the epoch; injectable for tests. */
  now: () => number;
  ratingLinkSecret: string;
  /** Price list and parts catalogue (src/catalogue/), loaded at start-up. Absent = not loaded (tests that need none). */
  catalogue?: Catalogue;
  /**
   * Customer history (src/customers/): the customer key's secret and how long intake waits for the earlier requests.
   * Absent = off (route tests that need none): no keys at intake, no customer route.
   */
  customerHistory?: { secret: string; lookupTimeoutMs: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export const servicesPlugin = fp<{ services: Services }>(
  async (app, opts) => {
    app.decorate('services', opts.services);
  },
  { name: 'aftercare-services', fastify: '5.x' },
);
