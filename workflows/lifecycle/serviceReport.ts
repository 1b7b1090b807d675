/**
 * The customer's copy of the service report (lifecycle 4): after the photo check, the report is stored beside the
 * photos (the page and its PDF read it from there, never from the workflow) and its signed link goes into the
 * completion SMS. Storing is retried for a while; if storage stays down the completion SMS goes without the
 * link (the report stays in the state) rather than keeping the customer waiting.
 */
import { ActivityFailure, patched, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { ServiceActivities } from '../../activities/contract';
import { reportTokenId } from '../../src/domain/serviceReport';
import { acts } from '../proxies';
import type { Kit } from './kit';
import { nowIso } from './record';

/** Marker of requests whose completion stores the report and links it (v4 requests completed before had none). */
export const SERVICE_REPORT_LINK = 'service-report-link';

/** Rendering two PDFs with a CJK font can take seconds on a busy worker; storage outages get half an hour. */
const reportActs = proxyActivities<Pick<ServiceActivities, 'storeServiceReport'>>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m' },
});

/**
 * Whether this completion sends the report: a report of the visit that just completed, not sent yet. patched()
 * last, so only such requests are marked. Synchronous on purpose: the paths without a report must not gain even
 * an `await` (a microtask more reorders their commands against timers started in the same activation).
 */
export function sendsServiceReport(k: Kit): boolean {
  const data = k.record.data;
  const report = data.serviceReport;
  return k.version >= 4 && !!report && report.visit === data.visit && !report.stored && patched(SERVICE_REPORT_LINK);
}

/** Stores this visit's report (sendsServiceReport said so) and returns the customer's link; undefined if storing failed. */
export async function serviceReportLink(k: Kit): Promise<string | undefined> {
  const data = k.record.data;
  const report = data.serviceReport!;
  // The signature photo is often uploaded just after completion: the photo check has waited for it.
  report.signaturePhoto ??= [...data.photos].reverse().find((p) => p.kind === 'signature')?.key;
  const { request } = k.input;
  const tokenId = reportTokenId(report.visit, uuid4());
  const linkExpiresAt = new Date(Date.now() + k.rules.serviceReport().linkValidity.ms).toISOString();
  let pdf: string[];
  try {
    ({ pdf } = await reportActs.storeServiceReport.executeWithOptions({ summary: `Service report of visit ${report.visit}` }, [
      {
        requestId: k.record.requestId,
        ticket: k.record.ticket,
        tokenId,
        timeZone: k.rules.policy.calendar.timeZone,
        language: k.rules.language,
        customer: { name: request.customer.name, phone: request.customer.phone },
        product: {
          category: request.product.category,
          model: request.product.model,
          serialNumber: request.product.serialNumber,
          purchaseDate: request.product.purchaseDate,
        },
        report,
        labour: report.charges.chargeable
          ? data.quotes.filter((q) => q.decision?.approved).flatMap((q) => q.lines.filter((l) => l.kind === 'labour'))
          : [],
        warranty: data.warranty,
        payments: data.payments.map((p) => ({ at: p.at, method: p.method, amount: p.amount, reason: p.reason })),
      },
    ]));
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    k.record.log(
      'service_report_not_stored',
      `visit ${report.visit}: ${err.cause?.message ?? err.message}; completion SMS without the link`,
    );
    return undefined;
  }
  const { url } = await acts.issueCustomerLink.executeWithOptions({ summary: 'Service report link for the customer' }, [
    { purpose: 'report', requestId: k.record.requestId, tokenId, expiresAt: linkExpiresAt },
  ]);
  report.stored = { at: nowIso(), linkExpiresAt, pdf: pdf.length > 0 };
  k.record.log('service_report_stored', `visit ${report.visit}${pdf.length > 0 ? ' with PDF' : ' (no PDF: no CJK font on the worker)'}`);
  return url;
}
