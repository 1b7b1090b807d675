import { ApplicationFailure } from '@temporalio/activity';
import { rankTechnicians, requiredSkills } from '../src/domain/dispatch';
import type { CandidateSummary, ServiceActivities } from './contract';
import { type ActivityDeps, ClaimRefusedError } from './deps';

/** Ratings from closed requests' scores; a lookup failure falls back to the roster (dispatch must not stall). */
async function measuredRatings(deps: ActivityDeps, ids: string[]): Promise<Record<string, number | undefined>> {
  if (!deps.ratings || ids.length === 0) return {};
  try {
    return await deps.ratings(ids);
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, "technician ratings unavailable; using the roster's ratings");
    return {};
  }
}

/** Legacy requests' open jobs (lifecycles before the board); a lookup failure counts none (dispatch must not stall). */
async function legacyBaseline(deps: ActivityDeps, ids: string[]): Promise<Record<string, number>> {
  if (!deps.legacyOpenJobs || ids.length === 0) return {};
  try {
    return await deps.legacyOpenJobs(ids);
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, 'legacy open jobs unavailable; the board counts its own reservations only');
    return {};
  }
}

/**
 * Ranks the directory for a request (docs/lifecycle.md, Dispatch); load comes from the requests currently open per technician,
 * the rating from their closed requests' scores when there are enough (else the roster's).
 */
export function dispatchActivities(
  deps: ActivityDeps,
): Pick<ServiceActivities, 'findCandidates' | 'getTechnician' | 'claimTechnician' | 'releaseTechnician'> {
  return {
    async findCandidates({ category, type, location, exclude, minTier, policy }) {
      const all = await deps.directory.list();
      const skills = requiredSkills(category, type, policy);
      const eligible = all.filter((t) => t.active && skills.every((s) => t.skills.includes(s)));
      const [openJobs, rated] = await Promise.all([
        deps.openJobs(eligible.map((t) => t.id)),
        measuredRatings(
          deps,
          eligible.map((t) => t.id),
        ),
      ]);
      const ranked = eligible.map((t) => {
        const r = rated[t.id];
        return r !== undefined && Number.isFinite(r) && r >= 0 && r <= 1 ? { ...t, rating: r } : t;
      });
      return rankTechnicians(ranked, { category, type, location }, { policy, openJobs, exclude, minTier }).map((c): CandidateSummary => ({
        technicianId: c.technician.id,
        name: c.technician.name,
        workNumber: c.technician.workNumber,
        tier: c.technician.tier,
        distanceKm: c.distanceKm ?? undefined,
        reason: c.reason,
        withinRadius: c.withinRadius,
        starred: c.starred,
      }));
    },
    async getTechnician({ technicianId }) {
      const t = await deps.directory.get(technicianId);
      if (!t || !t.active) return null;
      return { technicianId: t.id, name: t.name, workNumber: t.workNumber, tier: t.tier, reason: 'manual' };
    },
    async claimTechnician({ requestId, claimId, candidates, force }) {
      const ids = force !== undefined ? [force] : candidates.map((c) => c.technicianId);
      const baseline = await legacyBaseline(deps, ids);
      try {
        return await deps.board.claim({ requestId, claimId, candidates, ...(force !== undefined ? { force } : {}), baseline });
      } catch (err) {
        // Malformed: the same input would be refused again, so no retries.
        if (err instanceof ClaimRefusedError) throw ApplicationFailure.nonRetryable(err.message, 'ClaimRefused');
        throw err;
      }
    },
    async releaseTechnician(args) {
      await deps.board.release(args);
    },
  };
}
