/**
 * The price list and the parts catalogue (lifecycle 4; docs/catalogue.md): read and checked at start-up
 * (./load.ts), lines priced from them (./price.ts). I/O lives here; workflows see only `PricedLines`.
 */
export { assertCurrency, checkCurrency } from './currency';
export { CatalogueError, type CatalogueIssue } from './errors';
export { loadCatalogue } from './load';
export { catalogueKey, MAX_QUANTITY, priceLines, quoted } from './price';
export { PartsFileSchema, PriceListSchema } from './schema';
export type { Catalogue, CatalogueFiles, LabourItem, Names, Part } from './types';
