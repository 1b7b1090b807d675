import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** The reporting database's projection of a request (src/reporting/store.ts); idempotent, so retries are safe. */
export function projectionActivities(deps: ActivityDeps): Pick<ServiceActivities, 'projectRequest'> {
  return {
    async projectRequest(p) {
      if (!deps.reporting) return { written: false };
      const r = await deps.reporting.write(p);
      // Ids and counts only: the projection holds no customer data, and the log needs none.
      deps.logger.debug({ requestId: p.state.requestId, seq: p.seq, ...r }, 'projected');
      return { written: r.rowWritten };
    },
  };
}
