import type { FastifyPluginAsync, FastifyPluginCallback } from 'fastify';

/**
 * Marks a plugin as non-encapsulated (what `fastify-plugin` does): its decorators and hooks apply to the
 * parent, so shared services and the auth hook reach every route plugin.
 */
export function global<T extends FastifyPluginAsync<any> | FastifyPluginCallback<any>>(plugin: T, name: string): T {
  const p = plugin as T & Record<symbol, unknown>;
  p[Symbol.for('skip-override')] = true;
  p[Symbol.for('fastify.display-name')] = name;
  return p;
}
