/** A bare API instance with the real auth, validation and error handling, for route plugins not yet mounted in buildServer. */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Writable } from 'node:stream';
import { authPlugin } from '../../src/api/plugins/auth';
import { installErrorHandling } from '../../src/api/plugins/errors';
import { securityPlugin } from '../../src/api/plugins/security';
import { createValidatorCompiler } from '../../src/api/plugins/validation';
import { ErrorBody } from '../../src/api/schemas/common';
import { createLogger } from '../../src/logger';
import { tokenStore } from './support';

export type MiniApp = Awaited<ReturnType<typeof miniApp>>;

export async function miniApp(register: (app: ReturnType<typeof base>) => PromiseLike<unknown>) {
  const logs: string[] = [];
  const app = base(logs);
  app.addSchema(ErrorBody);
  app.setValidatorCompiler(createValidatorCompiler([ErrorBody]));
  installErrorHandling(app);
  await app.register(securityPlugin, { rateLimitPerMinute: 10_000 });
  await app.register(authPlugin, { tokens: tokenStore() });
  await register(app);
  await app.ready();
  return Object.assign(app, { logs });
}

function base(logs: string[] = []) {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  return Fastify({ loggerInstance: createLogger('info', sink) as FastifyBaseLogger }).withTypeProvider<TypeBoxTypeProvider>();
}
