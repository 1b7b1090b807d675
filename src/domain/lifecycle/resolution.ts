/**
 * When a request's fault was fixed, read from its state: its last resolved visit or remote fix (or, lifecycle 5, a
 * return or exchange settled), unless a later
 * call-back reopened it ("not fixed" undoes a fix). Shared by the daily report and customer history. Workflow-safe.
 */
import type { ServiceRequestView } from './view';

export interface Fix {
  at: string;
  /** Whose visit (or remote fix) it was; absent for a fix by the hotline without a technician. */
  technicianId?: string;
}

type FixFields = Pick<ServiceRequestView, 'completion' | 'remoteResolution' | 'reopened' | 'returns'>;

export function lastFix(r: FixFields): Fix | undefined {
  const fixes: Fix[] = [
    ...(r.completion ?? []).filter((v) => v.resolved).map((v) => ({ at: v.at, technicianId: v.technicianId })),
    ...(r.remoteResolution ? [{ at: r.remoteResolution.at, technicianId: r.remoteResolution.technicianId }] : []),
    ...(r.returns?.settlement ? [{ at: r.returns.settlement.at }] : []),
  ];
  const lastReopen = Math.max(-Infinity, ...(r.reopened ?? []).map((x) => Date.parse(x.at)));
  const holding = fixes.filter((f) => Date.parse(f.at) > lastReopen);
  holding.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return holding[0];
}
