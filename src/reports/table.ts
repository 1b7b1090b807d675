/** The daily report as a plain-text sheet for a terminal (`npm run report -- --table`). */
import { formatAmount } from '../domain/charges';
import { MILESTONE_LABEL } from '../domain/labels';
import { MILESTONES } from '../domain/types';
import type { DailyReport } from './daily';

const pct = (r: number | null): string => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padL = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const hours = (h: number | null): string => (h === null ? '–' : `${h.toFixed(1)} h`);

function counts(title: string, rec: Record<string, number>): string[] {
  const parts = Object.entries(rec)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return [`  ${pad(title, 12)} ${parts.length ? parts.join(' · ') : '–'}`];
}

export function formatDailyReport(r: DailyReport & { unreadable?: { requestId: string; reason: string }[]; generatedAt?: string }): string {
  const lines: string[] = [];
  lines.push(`Daily service summary ${r.date} (${r.timeZone})${r.generatedAt ? ` — as of ${r.generatedAt}` : ''}`);
  lines.push('');
  lines.push(`Volume: ${r.volume.total} request${r.volume.total === 1 ? '' : 's'}${r.volume.vip ? ` (${r.volume.vip} VIP)` : ''}`);
  lines.push(
    ...counts('by type', r.volume.byType),
    ...counts('by channel', r.volume.byChannel),
    ...counts('by urgency', r.volume.byUrgency),
  );
  lines.push(...counts('status now', r.byStatus));
  lines.push('');
  // Wide enough for the longest milestone label, so the columns line up.
  const label = Math.max(18, ...MILESTONES.map((m) => MILESTONE_LABEL[m].length + 1));
  lines.push(`${pad('SLA compliance', label + 2)}${padL('met', 5)} ${padL('breached', 9)} ${padL('pending', 8)} ${padL('compliance', 11)}`);
  for (const m of MILESTONES) {
    const s = r.sla[m];
    if (s.met + s.breached + s.pending === 0) continue;
    lines.push(
      `  ${pad(MILESTONE_LABEL[m], label)}${padL(String(s.met), 5)} ${padL(String(s.breached), 9)} ${padL(String(s.pending), 8)} ${padL(pct(s.complianceRate), 11)}`,
    );
  }
  lines.push('');
  const repeatedLater = r.firstTimeFix.repeated ? `; ${r.firstTimeFix.repeated} repeated later` : '';
  lines.push(
    `First-time fix      ${pct(r.firstTimeFix.rate)}  (${r.firstTimeFix.fixedFirstVisit} of ${r.firstTimeFix.visited} visited${repeatedLater})`,
  );
  lines.push(
    `Resolution rate     ${pct(r.resolution.rate)}  (${r.resolution.resolved} of ${r.resolution.eligible}; ${r.resolution.cancelled} cancelled)`,
  );
  const avg = r.satisfaction.averageScore === null ? '–' : r.satisfaction.averageScore.toFixed(2);
  lines.push(
    `Average score       ${avg}  (${r.satisfaction.rated} rated; ≤3: ${r.satisfaction.lowScores}, ${pct(r.satisfaction.lowScoreShare)})`,
  );
  lines.push(`Complaints          ${r.complaints}`);
  // Lifecycle 5: the complaints with a process, by class, and what their closing required.
  const cp = r.complaintProcess;
  lines.push(
    `  by class          ${Object.entries(cp.byClass)
      .map(([c, n]) => `${c} ${n}`)
      .join(' · ')}; repeats ${cp.repeats} · accountability ${cp.accountability} · product feedback ${cp.productFeedback}`,
  );
  // Lifecycle 3: resolved by phone, and the satisfaction call-backs (回访) with what they found.
  lines.push(`Remote resolutions  ${r.remoteResolutions}  (not counted as visited)`);
  lines.push(`Revisits            ${r.revisits}  (reopened: a call-back found the fault not fixed)`);
  lines.push(`Repeat repairs      ${r.repeatRepairs}  (the same product back within the window after a fix: 二次上门)`);
  const c = r.callbacks;
  lines.push(
    `Call-backs          reached ${c.reached} · unanswered calls ${c.notReached} · unreachable ${c.unreachable} · not fixed ${c.notFixed}; ` +
      `complaints raised: staff ${r.callbackComplaints.staff} · product ${r.callbackComplaints.product}`,
  );
  const e = r.escalations;
  lines.push(
    `Escalated requests  ${e.escalatedRequests}  (highest level L1 ${e.requestsByLevel['1']} · L2 ${e.requestsByLevel['2']} · L3 ${e.requestsByLevel['3']}; ` +
      `events L1 ${e.eventsByLevel['1']} · L2 ${e.eventsByLevel['2']} · L3 ${e.eventsByLevel['3']})`,
  );
  // Lifecycle 4: warranty, quotes, charges and spare parts. Amounts are fen in the JSON, yuan here.
  lines.push('');
  const w = r.warranty;
  lines.push(`Warranty            in warranty ${w.inWarranty} · out of warranty ${w.outOfWarranty} · chargeable ${w.chargeable}`);
  const q = r.quotes;
  lines.push(
    `Quotes              issued ${q.issued} · approved ${q.approved} · declined ${q.declined} · expired ${q.expired} · pending ${q.pending}`,
  );
  const v = r.revenue;
  const cur = v.currency ? ` ${v.currency}` : '';
  lines.push(
    `Revenue             ${formatAmount(v.total)}${cur}  (labour ${formatAmount(v.labour)} · parts ${formatAmount(v.parts)} · ` +
      `visit fees ${formatAmount(v.visitFees)})`,
  );
  const pay = (p: { count: number; amount: number }): string => `${p.count} (${formatAmount(p.amount)})`;
  const p = r.payments;
  lines.push(
    `Payments            paid ${formatAmount(p.paid.amount)}${cur}  (on site ${pay(p.on_site)} · invoice ${pay(p.invoice)}); ` +
      `waived ${pay(p.waived)}`,
  );
  const wp = r.waitedForParts;
  lines.push(
    `Waited for parts    ${wp.requests} request${wp.requests === 1 ? '' : 's'}  (${wp.orders} order${wp.orders === 1 ? '' : 's'}; ` +
      `arrived ${wp.arrived}: average ${hours(wp.averageHours)}, max ${hours(wp.maxHours)}; expected date passed ${wp.overdueOrders})`,
  );
  const rt = r.returns;
  lines.push(
    `Returns/exchanges   ${rt.received} received  (refused at intake ${rt.refusedAtIntake} · after inspection ${rt.refusedAfterInspection}; ` +
      `refunds ${rt.refunds} · replacements ${rt.replacements} · repairs ${rt.repairs}; settled ${rt.settled} · open ${rt.open})`,
  );
  if (r.partsConsumed.length === 0) lines.push('Parts consumed      –');
  else {
    const named = r.partsConsumed.map((x) => `${x.ref} ${x.name.en}`);
    const width = Math.max(18, ...named.map((n) => n.length + 1));
    lines.push(`${pad('Parts consumed', width + 2)}${padL('fitted', 6)} ${padL('old part shown', 15)}`);
    r.partsConsumed.forEach((x, i) => {
      lines.push(`  ${pad(named[i] as string, width)}${padL(String(x.quantity), 6)} ${padL(String(x.oldPartShown), 15)}`);
    });
  }
  if (r.unreadable?.length) {
    lines.push('');
    lines.push(
      `INCOMPLETE: ${r.unreadable.length} request(s) could not be read: ${r.unreadable.map((u) => `${u.requestId} (${u.reason})`).join('; ')}`,
    );
  }
  return lines.join('\n');
}
