/** The price list and the policy's charges must be in one currency: a quote adds visit fees to catalogue prices. */
import type { LineProblem } from '../domain/charges';
import type { ChargesPolicy } from '../domain/policyTypes';
import { CatalogueError } from './errors';
import type { Catalogue } from './types';

/** A problem (at `currency`, the price list's field) when the currencies differ; undefined when they agree. */
export function checkCurrency(catalogue: Catalogue, charges: ChargesPolicy): LineProblem | undefined {
  if (catalogue.currency === charges.currency) return undefined;
  return {
    path: 'currency',
    message: `the price list is in ${catalogue.currency} but the policy charges in ${charges.currency} (charges.currency)`,
  };
}

/** Start-up: throws a `CatalogueError` naming the price list when the currencies differ. */
export function assertCurrency(catalogue: Catalogue, charges: ChargesPolicy): void {
  const problem = checkCurrency(catalogue, charges);
  if (problem) throw new CatalogueError([{ file: catalogue.files.priceListFile, ...problem }]);
}
