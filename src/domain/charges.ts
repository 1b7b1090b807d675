/**
 * Warranty, charges, quotes and spare parts (lifecycle 4; docs/lifecycle.md, docs/policy.md, docs/catalogue.md): the vocabulary shared by the policy,
 * the catalogue files, the workflow and the API. Amounts are integers in the smallest currency unit (fen for
 * CNY), never floats. Workflow-safe: types and pure helpers only.
 */

/** What caused the fault, recorded at diagnosis; the policy says which causes are not covered. */
export const FAULT_CAUSES = ['quality', 'misuse', 'transport', 'wear', 'other'] as const;
export type FaultCause = (typeof FAULT_CAUSES)[number];

/** Cover at intake: from the purchase date (and an extended-warranty number) against the category's terms. */
export type WarrantyStatus = 'in_warranty' | 'out_of_warranty';

export interface WarrantyJudgement {
  status: WarrantyStatus;
  /** Last local date (YYYY-MM-DD, policy time zone) the cover runs to. */
  coverUntil: string;
  /** Months of cover applied: the category's, plus its extended months when an extended-warranty number was given. */
  months: number;
  /** The category whose terms applied (`default` when the policy has none for the request's). */
  terms: string;
  /** What the cover includes (policy text, e.g. parts, labour). */
  covers: string[];
  extendedWarrantyNumber?: string;
  /**
   * Proof of purchase on file: the latest invoice photo uploaded (kind `invoice`, lifecycle 4) and when. It lets
   * staff check the purchase date; the judgement above stays as made at intake.
   */
  proof?: WarrantyProof;
}

export interface WarrantyProof {
  /** Storage key of the invoice photo (`<requestId>/invoice/<sha256>.<ext>`). */
  invoicePhoto: string;
  /** When it was uploaded. */
  at: string;
}

/** A quote or parts line as callers send it: a labour item of the price list, or a part of the catalogue. */
export type LineInput = { kind: 'labour'; code: string; quantity: number } | { kind: 'part'; partNumber: string; quantity: number };

/** A line priced from the price list / parts catalogue when it was quoted (prices do not move afterwards). */
export interface PricedLine {
  kind: 'labour' | 'part';
  /** Labour code or part number. */
  ref: string;
  name: { zh: string; en: string };
  quantity: number;
  /** Per unit, smallest currency unit. */
  unitPrice: number;
  /** quantity × unitPrice. */
  amount: number;
}

export interface PricedLines {
  lines: PricedLine[];
  labour: number;
  parts: number;
  total: number;
  currency: string;
}

/** One problem with one line, named by its path in the body (e.g. `lines[2].partNumber`). */
export interface LineProblem {
  path: string;
  message: string;
}

/** An amount with its currency for the customer's pages: "50.00 元" (zh, CNY), "CNY 50.00". */
export function formatMoney(lang: 'zh' | 'en', amount: number, currency: string): string {
  return lang === 'zh' && currency === 'CNY' ? `${formatAmount(amount)} 元` : `${currency} ${formatAmount(amount)}`;
}

/** Sums priced lines (all integers). */
export function totals(lines: PricedLine[], currency: string): PricedLines {
  const sum = (kind: PricedLine['kind']): number => lines.filter((l) => l.kind === kind).reduce((s, l) => s + l.amount, 0);
  const labour = sum('labour');
  const parts = sum('part');
  return { lines, labour, parts, total: labour + parts, currency };
}

/** 12345 fen → "123.45" (display only; amounts stay integers everywhere else). */
export function formatAmount(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Largest amount accepted anywhere (fen): 10,000,000.00 CNY, far above any repair, and exact in a double. */
export const MAX_AMOUNT = 1_000_000_000;

/**
 * Why `v` is not an amount, or undefined: amounts are integers ≥ 0 in the smallest currency unit (fen for CNY),
 * never floats ("50.5" yuan is written 5050). The policy file and the catalogue files check prices with it.
 */
export function amountProblem(v: unknown): string | undefined {
  const shown = JSON.stringify(v) ?? String(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${shown} is not an amount (an integer in fen, e.g. 5000 for 50.00 CNY)`;
  if (!Number.isInteger(v)) return `${shown} is not a whole number: amounts are integers in fen (e.g. 5050 for 50.50 CNY)`;
  if (v < 0) return `${shown} is negative: amounts are integers ≥ 0 in fen`;
  if (v > MAX_AMOUNT) return `${shown} is more than ${MAX_AMOUNT} fen (${formatAmount(MAX_AMOUNT)})`;
  return undefined;
}
