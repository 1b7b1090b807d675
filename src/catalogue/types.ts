/**
 * The price list and the parts catalogue (lifecycle 4; docs/catalogue.md) as loaded: plain data, amounts in the
 * smallest currency unit (fen for CNY). Loaded by ./load.ts at start-up; quotes and parts lines are priced from
 * it (./price.ts) and carried into the workflow as `PricedLines`, so a later price change moves no running quote.
 */

export interface Names {
  zh: string;
  en: string;
}

/** A labour item of the price list (检测费, 上门维修费 …). */
export interface LabourItem {
  /** Upper case, e.g. GWH-IGNITION. */
  code: string;
  name: Names;
  /** Per unit, in fen. */
  price: number;
  /** Product categories it applies to (normalised like dispatch: gas_water_heater); absent = every category. */
  categories?: string[];
}

/** A spare part (配件) of the catalogue. */
export interface Part {
  /** Upper case, e.g. GWH-TC-01. */
  partNumber: string;
  name: Names;
  /** Product categories it fits (normalised), at least one. */
  categories: string[];
  /** Per piece, in fen (the price list's currency). */
  price: number;
}

export interface Catalogue {
  /** ISO 4217 code of every amount in both files (the price list's `currency`). */
  currency: string;
  /** In file order. */
  labour: LabourItem[];
  parts: Part[];
  /** Look-ups by code / part number (upper case). */
  labourByCode: ReadonlyMap<string, LabourItem>;
  partsByNumber: ReadonlyMap<string, Part>;
  /** The files it was read from, for messages. */
  files: CatalogueFiles;
}

export interface CatalogueFiles {
  /** Price list (PRICE_LIST_FILE). */
  priceListFile: string;
  /** Parts catalogue (PARTS_CATALOGUE_FILE). */
  partsFile: string;
}
