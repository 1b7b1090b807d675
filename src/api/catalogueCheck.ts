/**
 * The API's pre-check of catalogue lines (lifecycle 4): a labour code or part number the loaded price list / parts
 * catalogue does not know is refused with 400 at its path in the body (`lines[1].partNumber`,
 * `parts[0].partNumber`, `partsUsed[0].partNumber`) before the workflow is asked. Codes are compared as
 * `priceLines` compares them (trimmed, case-insensitive). Whether a known item fits the request's product
 * category stays the workflow's check: it knows the category.
 */
import { catalogueKey as key, quoted, type Catalogue } from '../catalogue';
import type { Action } from '../domain/lifecycle/actions';
import type { FieldProblem } from './errors';

type Line = { kind?: unknown; code?: unknown; partNumber?: unknown };

const list = (v: unknown): Line[] => (Array.isArray(v) ? (v as Line[]) : []);

function partProblems(catalogue: Catalogue, lines: Line[], path: string): FieldProblem[] {
  return lines.flatMap((l, i) =>
    catalogue.partsByNumber.has(key(l.partNumber))
      ? []
      : [{ path: `${path}[${i}].partNumber`, message: `unknown part ${quoted(l.partNumber)}` }],
  );
}

/** Lines of `action`'s body that name no item of the catalogue; [] when all are known, or when no catalogue is loaded. */
export function catalogueProblems(catalogue: Catalogue | undefined, action: Action, body: unknown): FieldProblem[] {
  if (!catalogue || body === null || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  switch (action) {
    case 'quote':
      return list(b.lines).flatMap((l, i): FieldProblem[] => {
        if (l.kind === 'labour' && !catalogue.labourByCode.has(key(l.code)))
          return [{ path: `lines[${i}].code`, message: `unknown labour code ${quoted(l.code)}` }];
        if (l.kind === 'part' && !catalogue.partsByNumber.has(key(l.partNumber)))
          return [{ path: `lines[${i}].partNumber`, message: `unknown part ${quoted(l.partNumber)}` }];
        return [];
      });
    case 'partsRequest':
      return partProblems(catalogue, list(b.parts), 'parts');
    case 'completion':
      return partProblems(catalogue, list(b.partsUsed), 'partsUsed');
    default:
      return [];
  }
}
