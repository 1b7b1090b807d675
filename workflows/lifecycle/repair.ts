/**
 * The visit, lifecycle 4: booked → on site → (diagnosis, quote, spare parts) → completed. On site the technician
 * records the fault cause (a cause the warranty excludes makes the repair chargeable), quotes a chargeable repair
 * and waits for the customer's decision, or orders parts: the request waits for them and the technician comes
 * back on a second booking. A declined quote closes the request with the visit fee. Completion writes the
 * customer service report. Lifecycles 2–3 run visit.ts alone.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { formatAmount, type FaultCause, type PricedLine } from '../../src/domain/charges';
import type { Actor } from '../../src/domain/roles';
import { chargeable, judgeWarranty } from '../../src/domain/warranty';
import { SA } from '../../src/temporal/searchAttributes';
import { awaitQuoteDecision } from './quote';
import { waitForParts } from './parts';
import type { ActionEvent } from './inbox';
import type { Kit } from './kit';
import { nowIso, type ServiceReport } from './record';
import { arrive, book, complete, until, type VisitEnd } from './visit';

export type RepairEnd = VisitEnd | 'closed';

/** At intake: in or out of warranty from the purchase date (and an extended-warranty number). */
export function judgeAtIntake(k: Kit): void {
  const { product } = k.input.request;
  const data = k.record.data;
  const policy = k.rules.warranty();
  data.warranty = judgeWarranty(
    {
      category: product.category,
      purchaseDate: product.purchaseDate,
      extendedWarrantyNumber: product.extendedWarrantyNumber,
      receivedMs: data.receivedMs,
      timeZone: k.rules.policy.calendar.timeZone,
    },
    policy,
  );
  data.chargeable = chargeable(data.warranty, undefined, policy);
  k.record.log(
    'warranty',
    `${data.warranty.status} (${data.warranty.terms}, ${data.warranty.months} months, until ${data.warranty.coverUntil})`,
  );
  upsertWarranty(k);
}

/** Search attribute `Warranty`: in_warranty, out_of_warranty, or not_covered (in warranty, cause excluded). */
function upsertWarranty(k: Kit): void {
  const { warranty, chargeable: c } = k.record.data;
  if (!warranty) return;
  const value = warranty.status === 'in_warranty' && c?.chargeable ? 'not_covered' : warranty.status;
  upsertSearchAttributes([{ key: SA.Warranty, value }]);
}

export async function repairVisit(k: Kit): Promise<RepairEnd> {
  for (;;) {
    const booked = await until(k, 'appointment');
    if (typeof booked === 'string') return booked;
    book(k, booked);
    const arrived = await until(k, 'arrival');
    if (typeof arrived === 'string') return arrived;
    arrive(k, arrived);
    const end = await onSite(k);
    // The parts are in: the technician books the return visit.
    if (end !== 'parts_arrived') return end;
  }
}

const ON_SITE = ['completion', 'diagnosis', 'quote', 'partsRequest'] as const;

async function onSite(k: Kit): Promise<RepairEnd | 'parts_arrived'> {
  for (;;) {
    const e = await until(k, ON_SITE);
    if (typeof e === 'string') return e;
    if (e.action === 'completion') return completeWithReport(k, e as ActionEvent<'completion'>);
    if (e.action === 'diagnosis') diagnose(k, e as ActionEvent<'diagnosis'>);
    else if (e.action === 'quote') {
      if ((await awaitQuoteDecision(k, e as ActionEvent<'quote'>)) === 'declined') return 'closed';
    } else {
      await waitForParts(k, e as ActionEvent<'partsRequest'>);
      return 'parts_arrived';
    }
  }
}

function diagnose(k: Kit, e: ActionEvent<'diagnosis'>): void {
  const { faultCause, diagnosis, technicianId, by } = e.args;
  recordDiagnosis(k, { faultCause, diagnosis, technicianId, by });
  k.inbox.settle(e);
}

function recordDiagnosis(k: Kit, d: { faultCause: FaultCause; diagnosis: string; technicianId: string; by?: Actor }): void {
  const data = k.record.data;
  data.diagnosis = { at: nowIso(), ...d };
  const was = data.chargeable?.chargeable;
  if (data.warranty) data.chargeable = chargeable(data.warranty, d.faultCause, k.rules.warranty());
  k.record.log('diagnosed', `${d.faultCause}: ${d.diagnosis}${data.chargeable ? ` — ${data.chargeable.reason}` : ''}`, d.by);
  if (was !== data.chargeable?.chargeable) upsertWarranty(k);
}

/** A resolved visit writes the customer service report (《客户服务报告》) before the usual completion. */
function completeWithReport(k: Kit, e: ActionEvent<'completion'>): VisitEnd {
  const { resolved, notes, partsUsed, report, technicianId } = e.args;
  const data = k.record.data;
  if (report?.faultCause && !data.diagnosis) {
    recordDiagnosis(k, { faultCause: report.faultCause, diagnosis: report.diagnosis ?? notes, technicianId, by: e.args.by });
  }
  if (resolved) {
    const priced: PricedLine[] = e.priced?.lines ?? [];
    data.serviceReport = {
      at: nowIso(),
      visit: data.visit,
      technicianId,
      faultCause: data.diagnosis?.faultCause,
      diagnosis: data.diagnosis?.diagnosis,
      workDone: notes,
      partsUsed: priced.map((line, i) => ({ ...line, oldPartShown: partsUsed?.[i]?.oldPartShown ?? false })),
      charges: charges(k),
      testRun: report?.testRun ?? { done: false },
      useExplained: report?.useExplained ?? false,
      signaturePhoto: [...data.photos].reverse().find((p) => p.kind === 'signature')?.key,
    };
    k.record.log('service_report', reportSummary(data.serviceReport));
  }
  return complete(k, e);
}

/** What the customer pays for the repair: the approved quotes when it is chargeable, else nothing. */
function charges(k: Kit): ServiceReport['charges'] {
  const data = k.record.data;
  const c = data.chargeable ?? { chargeable: false, reason: 'no warranty judgement' };
  const approved = c.chargeable ? data.quotes.filter((q) => q.decision?.approved) : [];
  const sum = (f: 'labour' | 'parts'): number => approved.reduce((s, q) => s + q[f], 0);
  const labour = sum('labour');
  const parts = sum('parts');
  return { ...c, labour, parts, total: labour + parts, currency: k.rules.charges().currency };
}

function reportSummary(r: ServiceReport): string {
  const parts = r.partsUsed.map((p) => `${p.ref} ×${p.quantity}${p.oldPartShown ? ' (old part shown)' : ''}`).join(', ');
  return [
    r.faultCause ? `cause ${r.faultCause}` : 'cause not recorded',
    parts ? `parts ${parts}` : 'no parts',
    `charges ${formatAmount(r.charges.total)} ${r.charges.currency}`,
    r.testRun.done ? `test run${r.testRun.minutes !== undefined ? ` ${r.testRun.minutes} min` : ''}` : 'no test run',
    r.useExplained ? 'use explained' : 'use not explained',
  ].join('; ');
}
