/**
 * Reads the price list and the parts catalogue (YAML, or strict JSON for `.json`) and checks them the way the
 * policy file is checked: the schema (one issue per bad field, src/policy/issues.ts), then the cross-field rules
 * (codes and part numbers given once). I/O — NOT workflow-safe: the worker and the API load it at start-up.
 */
import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { normaliseSkill } from '../domain/dispatch';
import type { PolicyIssue } from '../domain/policy';
import { parsePolicyText, PolicyError } from '../policy';
import { schemaIssues } from '../policy/issues';
import { duplicateIssues } from './duplicates';
import { CatalogueError, type CatalogueIssue } from './errors';
import { PartsFileSchema, PriceListSchema, type PartsFile, type PriceListFile } from './schema';
import type { Catalogue, CatalogueFiles, LabourItem, Part } from './types';

/**
 * One file: parsed, checked against its schema and by `cross` (run on the raw document too, so that a duplicate
 * shows in the same round as a bad price); its issues are added to `out`. The document, when it has none.
 */
function readChecked(file: string, schema: TSchema, cross: (raw: unknown) => PolicyIssue[], out: CatalogueIssue[]): unknown {
  const before = out.length;
  const add = (issues: PolicyIssue[]) => out.push(...issues.map((i) => ({ file, ...i })));
  let raw: unknown;
  try {
    // The policy file's reader: duplicate keys are an error, `.json` is strict JSON.
    raw = parsePolicyText(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof PolicyError) add(err.issues);
    else add([{ path: '', message: `cannot be read: ${(err as Error).message}` }]);
    return undefined;
  }
  add(schemaIssues(raw, schema));
  add(cross(raw));
  return out.length === before ? raw : undefined;
}

/** The entries of a top-level list, whatever else is wrong with the document (a non-object as {}, keeping the indexes). */
const entries = (raw: unknown, list: string): Record<string, unknown>[] => {
  const v = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[list] : undefined;
  return Array.isArray(v)
    ? v.map((x): Record<string, unknown> => (x !== null && typeof x === 'object' ? (x as Record<string, unknown>) : {}))
    : [];
};

const categories = (list: string[]): string[] => [...new Set(list.map(normaliseSkill))];

/** Loads and checks both files; throws one `CatalogueError` listing every problem of both, each with file and path. */
export function loadCatalogue(files: CatalogueFiles): Catalogue {
  const issues: CatalogueIssue[] = [];
  const prices = readChecked(
    files.priceListFile,
    PriceListSchema,
    (raw) => duplicateIssues(entries(raw, 'labour'), 'labour', 'code'),
    issues,
  ) as PriceListFile | undefined;
  const parts = readChecked(
    files.partsFile,
    PartsFileSchema,
    (raw) => duplicateIssues(entries(raw, 'parts'), 'parts', 'partNumber'),
    issues,
  ) as PartsFile | undefined;
  if (issues.length > 0 || !prices || !parts) throw new CatalogueError(issues);

  const labour: LabourItem[] = prices.labour.map((l) => ({
    code: l.code,
    name: { zh: l.name.zh, en: l.name.en },
    price: l.price,
    ...(l.categories ? { categories: categories(l.categories) } : {}),
  }));
  const partList: Part[] = parts.parts.map((p) => ({
    partNumber: p.partNumber,
    name: { zh: p.name.zh, en: p.name.en },
    categories: categories(p.categories),
    price: p.price,
  }));
  return {
    currency: prices.currency,
    labour,
    parts: partList,
    labourByCode: new Map(labour.map((l) => [l.code, l])),
    partsByNumber: new Map(partList.map((p) => [p.partNumber, p])),
    files: { priceListFile: files.priceListFile, partsFile: files.partsFile },
  };
}
