import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes ops filter on in the Web UI (docs/operations.md). Workflow-safe. */
export const SA = {
  ServiceStatus: defineSearchAttributeKey('ServiceStatus', SearchAttributeType.KEYWORD),
  Urgency: defineSearchAttributeKey('Urgency', SearchAttributeType.KEYWORD),
  RequestType: defineSearchAttributeKey('RequestType', SearchAttributeType.KEYWORD),
  TechnicianId: defineSearchAttributeKey('TechnicianId', SearchAttributeType.KEYWORD),
  EscalationLevel: defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT),
  BreachedDeadlines: defineSearchAttributeKey('BreachedDeadlines', SearchAttributeType.KEYWORD_LIST),
  SatisfactionScore: defineSearchAttributeKey('SatisfactionScore', SearchAttributeType.INT),
  Channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  /** The integration that started the request (its token's name); set by the API at start, never changed. */
  Owner: defineSearchAttributeKey('Owner', SearchAttributeType.KEYWORD),
  /**
   * The lifecycle version the request started with; set by the API at start, never changed. Absent on requests
   * from before it was recorded: the dispatch board counts those (`LifecycleVersion IS NULL`) from visibility.
   */
  LifecycleVersion: defineSearchAttributeKey('LifecycleVersion', SearchAttributeType.INT),
  /** Lifecycle 4: in_warranty, out_of_warranty, or not_covered (in warranty, but the fault cause is excluded). */
  Warranty: defineSearchAttributeKey('Warranty', SearchAttributeType.KEYWORD),
  /**
   * Customer history: a keyed hash of the customer's phone (src/customers/keys.ts; never the phone itself) and the
   * product (`SN:<serial>` or `MODEL:<model>`). Set by the API at start, never changed; absent on requests from before.
   * The dev server's SQL visibility has 10 Keyword slots: with these two, 9 are used (RepeatOf is the 10th).
   */
  CustomerKey: defineSearchAttributeKey('CustomerKey', SearchAttributeType.KEYWORD),
  ProductKey: defineSearchAttributeKey('ProductKey', SearchAttributeType.KEYWORD),
  /** Lifecycle 5: the earlier request a repeat repair repeats (set at intake); the daily report's first-time fix reads it. 10 of 10 Keyword slots. */
  RepeatOf: defineSearchAttributeKey('RepeatOf', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SA);

/** CLI spelling of a type, for `temporal server start-dev --search-attribute Name=Type`. */
const CLI_TYPE: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export function searchAttributeCliArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE[k.type]}`]);
}

/** Proto enum values of IndexedValueType for the operator service. */
const INDEXED_TYPE: Record<string, number> = {
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.KEYWORD_LIST]: 7,
};

/**
 * Registers our attributes through the operator service; for servers that were not started with them
 * (the time-skipping test server, a fresh cluster). Existing ones are left as they are.
 */
export async function registerSearchAttributes(
  operatorService: { addSearchAttributes(req: { namespace: string; searchAttributes: Record<string, number> }): Promise<unknown> },
  namespace: string,
): Promise<void> {
  const searchAttributes = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED_TYPE[k.type] as number]));
  await operatorService.addSearchAttributes({ namespace, searchAttributes });
}
