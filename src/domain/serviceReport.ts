/**
 * The customer service report (《客户服务报告》, lifecycle 4) as the customer sees it: what the report page
 * (`/report/<token>`) and its PDF show, stored beside the photos when the visit completes. Built by the activity
 * from the workflow's report, so the page and the PDF never need the workflow (they work after it closed, and
 * while Temporal is down). The customer's name and phone are masked: the link travels by SMS and can be
 * forwarded; the address is left out. Amounts are integers in the smallest currency unit.
 */
import type { FaultCause, PricedLine, WarrantyJudgement } from './charges';

export const SERVICE_REPORT_DOCUMENT_VERSION = 1;

export interface ServiceReportDocument {
  version: typeof SERVICE_REPORT_DOCUMENT_VERSION;
  requestId: string;
  /** The ticket number the customer knows (SR-…). */
  ticket: string;
  /** Which visit of the request completed (a revisit writes a second report). */
  visit: number;
  /** Id of the link token that opens this report: only the link the customer was sent opens it. */
  tokenId: string;
  /** When the visit completed (ISO-8601). */
  completedAt: string;
  /** IANA zone the times are shown in (the policy's). */
  timeZone: string;
  /** The customer's language: the page's and PDF's default. */
  language: 'zh' | 'en';
  customer: { name: string; phone: string };
  product: { category: string; model: string; serialNumber?: string; purchaseDate: string };
  technician: { id: string; name?: string; workNumber?: string };
  warranty?: Pick<WarrantyJudgement, 'status' | 'coverUntil' | 'months' | 'extendedWarrantyNumber'>;
  /** Whether the customer pays for the repair, and why (warranty / fault cause). */
  chargeable: { chargeable: boolean; reason: string };
  faultCause?: FaultCause;
  diagnosis?: string;
  workDone: string;
  /** Labour items charged (the approved quotes' labour lines when the repair is chargeable). */
  labour: PricedLine[];
  partsUsed: (PricedLine & { oldPartShown: boolean })[];
  charges: { labour: number; parts: number; total: number; currency: string };
  payments: { at: string; method: 'on_site' | 'invoice' | 'waived'; amount: number; reason?: string }[];
  testRun: { done: boolean; minutes?: number };
  useExplained: boolean;
  /** The customer's signature photo (storage key and type), when uploaded by completion. */
  signature?: { key: string; contentType: string };
  /** Languages a PDF of this report was stored in (none when the worker had no CJK font). */
  pdf?: ('zh' | 'en')[];
}

/** The report as the workflow writes it at a resolved completion (its state's `serviceReport`). */
export interface VisitReport {
  at: string;
  visit: number;
  technicianId: string;
  faultCause?: FaultCause;
  diagnosis?: string;
  workDone: string;
  partsUsed: (PricedLine & { oldPartShown: boolean })[];
  /** What the customer owes for the repair: the approved quotes (0 when covered). */
  charges: { chargeable: boolean; reason: string; labour: number; parts: number; total: number; currency: string };
  testRun: { done: boolean; minutes?: number };
  useExplained: boolean;
  /** Storage key of the customer's signature photo, when uploaded by then. */
  signaturePhoto?: string;
  /** Stored for the customer (after the photo check): when, until when the link opens it, whether with a PDF. */
  stored?: { at: string; linkExpiresAt: string; pdf: boolean };
}

/** What the workflow hands the activity that stores the report (the activity masks and looks up the rest). */
export interface ServiceReportToStore {
  requestId: string;
  ticket: string;
  tokenId: string;
  timeZone: string;
  language: 'zh' | 'en';
  customer: { name: string; phone: string };
  product: { category: string; model: string; serialNumber?: string; purchaseDate: string };
  report: VisitReport;
  /** The labour lines the charges' labour amount is made of (approved quotes, chargeable repairs). */
  labour: PricedLine[];
  warranty?: WarrantyJudgement;
  payments: { at: string; method: 'on_site' | 'invoice' | 'waived'; amount: number; reason?: string }[];
}

/** The customer's document: PII masked, the technician's name and work number from the roster. */
export function serviceReportDocument(
  s: ServiceReportToStore,
  technician: { name: string; workNumber: string } | null,
  maskPhone: (phone: string) => string,
  signatureType?: string,
): ServiceReportDocument {
  const r = s.report;
  const w = s.warranty;
  return {
    version: SERVICE_REPORT_DOCUMENT_VERSION,
    requestId: s.requestId,
    ticket: s.ticket,
    visit: r.visit,
    tokenId: s.tokenId,
    completedAt: r.at,
    timeZone: s.timeZone,
    language: s.language,
    customer: { name: maskName(s.customer.name), phone: maskPhone(s.customer.phone) },
    product: { ...s.product },
    technician: { id: r.technicianId, ...(technician ? { name: technician.name, workNumber: technician.workNumber } : {}) },
    ...(w
      ? { warranty: { status: w.status, coverUntil: w.coverUntil, months: w.months, extendedWarrantyNumber: w.extendedWarrantyNumber } }
      : {}),
    chargeable: { chargeable: r.charges.chargeable, reason: r.charges.reason },
    faultCause: r.faultCause,
    diagnosis: r.diagnosis,
    workDone: r.workDone,
    labour: s.labour,
    partsUsed: r.partsUsed,
    charges: { labour: r.charges.labour, parts: r.charges.parts, total: r.charges.total, currency: r.charges.currency },
    payments: s.payments.map((p) => ({ at: p.at, method: p.method, amount: p.amount, ...(p.reason ? { reason: p.reason } : {}) })),
    testRun: r.testRun,
    useExplained: r.useExplained,
    ...(r.signaturePhoto ? { signature: { key: r.signaturePhoto, contentType: signatureType ?? 'application/octet-stream' } } : {}),
  };
}

/** The report link's token id names the visit: `v2-<uuid>` opens visit 2's report (one storage read, no search). */
export function reportTokenId(visit: number, uuid: string): string {
  return `v${visit}-${uuid}`;
}

export function reportTokenVisit(tokenId: string): number | undefined {
  const m = /^v([1-9]\d{0,3})-/.exec(tokenId);
  return m ? Number(m[1]) : undefined;
}

/** Storage names of a visit's report: `service-report-<visit>.json`, and `service-report-<visit>-<lang>.pdf`. */
export function serviceReportName(visit: number, ext: 'json'): string;
export function serviceReportName(visit: number, ext: 'pdf', lang: 'zh' | 'en'): string;
export function serviceReportName(visit: number, ext: 'json' | 'pdf', lang?: 'zh' | 'en'): string {
  return ext === 'pdf' ? `service-report-${visit}-${lang}.pdf` : `service-report-${visit}.json`;
}

/** "张三丰" → "张**", "Alice Brown" → "A**** B****": enough for the customer to recognise, not to identify. */
export function maskName(name: string): string {
  const t = name.trim();
  if (/[\u3400-\u9fff]/.test(t)) return `${[...t][0] ?? ''}${'*'.repeat(Math.max(1, [...t].length - 1))}`;
  return t
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${w[0]}${'*'.repeat(Math.max(1, w.length - 1))}`)
    .join(' ');
}
