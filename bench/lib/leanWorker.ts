/**
 * The capped worker of README "Worker memory vs. bursts": a small sticky cache and heap. (b) and (c) run with it
 * as well as with the SDK's defaults, to show both sides of the trade.
 */
export const LEAN_WORKER = {
  env: { AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '250', MALLOC_ARENA_MAX: '2' },
  nodeArgs: ['--max-old-space-size=128'],
};
