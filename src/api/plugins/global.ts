/**
 * Marks a plugin as non-encapsulated (what `fastify-plugin` does): its decorators and hooks apply to the
 * parent, so shared services and the auth hook reach every route plugin.
 */
export function global<T extends object>(plugin: T, name: string): T {
  const p = plugin as unknown as Record<symbol, unknown>;
  p[Symbol.for('skip-override')] = true;
  p[Symbol.for('fastify.display-name')] = name;
  return plugin;
}
