/**
 * Prices the lines of a quote or a parts order from the catalogue, for one product category. Every bad line is
 * reported at its path in the body (`lines[2].partNumber`), all at once; only a clean list is priced.
 */
import { totals, type LineInput, type LineProblem, type PricedLine, type PricedLines } from '../domain/charges';
import { normaliseSkill } from '../domain/dispatch';
import type { Catalogue } from './types';

/** Quantities per line: whole numbers 1..99. */
export const MAX_QUANTITY = 99;

/** How lines name catalogue items: trimmed, case-insensitive (the files hold them upper case). */
export const catalogueKey = (v: unknown): string => (typeof v === 'string' ? v.trim().toUpperCase() : '');
const key = catalogueKey;
export const quoted = (v: unknown): string => JSON.stringify(v) ?? String(v);

export function priceLines(
  catalogue: Catalogue,
  lines: LineInput[],
  category: string,
  path = 'lines',
): { priced?: PricedLines; problems: LineProblem[] } {
  const cat = normaliseSkill(category);
  const problems: LineProblem[] = [];
  const priced: PricedLine[] = [];
  if (lines.length === 0) problems.push({ path, message: 'must list at least one line' });
  lines.forEach((line, i) => {
    const at = `${path}[${i}]`;
    const q = line.quantity;
    const quantityOk = Number.isInteger(q) && q >= 1 && q <= MAX_QUANTITY;
    if (!quantityOk)
      problems.push({ path: `${at}.quantity`, message: `must be a whole number from 1 to ${MAX_QUANTITY}, got ${quoted(q)}` });
    if (line.kind === 'labour') {
      const item = catalogue.labourByCode.get(key(line.code));
      if (!item) problems.push({ path: `${at}.code`, message: `unknown labour code ${quoted(line.code)}` });
      else if (item.categories && !item.categories.includes(cat))
        problems.push({ path: `${at}.code`, message: `"${item.code}" (${item.name.en}) does not apply to category "${cat}"` });
      else if (quantityOk)
        priced.push({ kind: 'labour', ref: item.code, name: { ...item.name }, quantity: q, unitPrice: item.price, amount: q * item.price });
    } else if (line.kind === 'part') {
      const part = catalogue.partsByNumber.get(key(line.partNumber));
      if (!part) problems.push({ path: `${at}.partNumber`, message: `unknown part ${quoted(line.partNumber)}` });
      else if (!part.categories.includes(cat))
        problems.push({ path: `${at}.partNumber`, message: `part "${part.partNumber}" (${part.name.en}) does not fit category "${cat}"` });
      else if (quantityOk)
        priced.push({
          kind: 'part',
          ref: part.partNumber,
          name: { ...part.name },
          quantity: q,
          unitPrice: part.price,
          amount: q * part.price,
        });
    } else {
      problems.push({ path: `${at}.kind`, message: `must be "labour" or "part", got ${quoted((line as { kind?: unknown }).kind)}` });
    }
  });
  return problems.length > 0 ? { problems } : { priced: totals(priced, catalogue.currency), problems };
}
