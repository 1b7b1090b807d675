import { rankTechnicians, requiredSkills } from '../src/domain/dispatch';
import type { CandidateSummary, ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** Ranks the directory for a request (SPEC §3); load comes from the requests currently open per technician. */
export function dispatchActivities(deps: ActivityDeps): Pick<ServiceActivities, 'findCandidates' | 'getTechnician'> {
  return {
    async findCandidates({ category, type, location, exclude, minTier, policy }) {
      const all = await deps.directory.list();
      const skills = requiredSkills(category, type, policy);
      const eligible = all.filter((t) => t.active && skills.every((s) => t.skills.includes(s)));
      const openJobs = await deps.openJobs(eligible.map((t) => t.id));
      return rankTechnicians(eligible, { category, type, location }, { policy, openJobs, exclude, minTier }).map(
        (c): CandidateSummary => ({
          technicianId: c.technician.id,
          name: c.technician.name,
          workNumber: c.technician.workNumber,
          tier: c.technician.tier,
          distanceKm: c.distanceKm ?? undefined,
          reason: c.reason,
        }),
      );
    },
    async getTechnician({ technicianId }) {
      const t = await deps.directory.get(technicianId);
      if (!t || !t.active) return null;
      return { technicianId: t.id, name: t.name, workNumber: t.workNumber, tier: t.tier, reason: 'manual' };
    },
  };
}
