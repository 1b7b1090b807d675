/**
 * Exact load (lifecycle 3): every assignment is claimed on the dispatch board (workflows/dispatchBoard.ts), one
 * workflow that takes claims one at a time, so requests dispatched together see each other's assignments. The
 * claim is released when the job ends for its technician: completed (resolved or not), resolved remotely,
 * reassigned (the next claim replaces it) or cancelled.
 */
import { isCancellation, log } from '@temporalio/workflow';
import type { CandidateSummary } from '../../activities/contract';
import { acts } from '../proxies';
import type { Kit } from './kit';

/** The best remaining candidate by the board's counts, reserved for this request; undefined when none is left. */
export async function claimNext(k: Kit, remaining: CandidateSummary[]): Promise<CandidateSummary | undefined> {
  if (remaining.length === 0) return undefined;
  const picked = await claim(k, remaining, undefined);
  return picked ? remaining.find((c) => c.technicianId === picked) : undefined;
}

/** Ops chose the technician: reserved as chosen. */
export async function claimChosen(k: Kit, tech: CandidateSummary): Promise<void> {
  await claim(k, [tech], tech.technicianId);
}

async function claim(k: Kit, candidates: CandidateSummary[], force: string | undefined): Promise<string | undefined> {
  const d = k.record.data;
  // One id per assignment attempt: a retried activity gets the same answer, a new attempt replaces the old claim.
  const claimId = `${k.record.requestId}/${d.assignments.length + 1}`;
  let r: Awaited<ReturnType<typeof acts.claimTechnician>>;
  try {
    r = await acts.claimTechnician.executeWithOptions(
      { summary: force ? `Reserve ${force} (chosen by ops)` : `Reserve the least loaded of ${candidates.length}` },
      [
        {
          requestId: k.record.requestId,
          claimId,
          force,
          candidates: candidates.map((c) => ({
            technicianId: c.technicianId,
            withinRadius: c.withinRadius ?? null,
            starred: c.starred ?? false,
            distanceKm: c.distanceKm,
          })),
        },
      ],
    );
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The board unreachable for minutes must not stop dispatch: take the ranked order (load as visibility saw it).
    k.record.log('board_unavailable', `${(err as Error).message}; dispatching in ranked order`);
    return force ?? candidates[0]?.technicianId;
  }
  if (!r) return undefined;
  d.claimId = claimId;
  return r.technicianId;
}

/** The job ended for the current technician: their open-job count drops (in the background, never lost). */
export function release(k: Kit): void {
  const d = k.record.data;
  const claimId = d.claimId;
  if (!claimId) return;
  d.claimId = undefined;
  const requestId = k.record.requestId;
  k.notify.alongside(async () => {
    try {
      await acts.releaseTechnician.executeWithOptions({ summary: 'Release the technician (open jobs −1)' }, [{ requestId, claimId }]);
    } catch (err) {
      // The request must not fail over bookkeeping: the count stays one too high until the board drops it.
      log.warn('release failed', { requestId, claimId, error: (err as Error).message });
    }
  });
}
