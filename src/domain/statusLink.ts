/**
 * The customer's status page link (issue 15; docs/api.md, Customer status page): its token id names the request's
 * language, so the page opens in the language the request's messages use (`?lang=` still wins). Workflow-safe.
 */
export type StatusLanguage = 'zh' | 'en';

/** The token id of a request's status link: one per request, opened as often as the customer likes. */
export const statusTokenId = (language: StatusLanguage): string => `status-${language}`;

/** The request's language from a status token id; undefined for any other id. */
export function statusTokenLanguage(tokenId: string): StatusLanguage | undefined {
  return tokenId === 'status-zh' ? 'zh' : tokenId === 'status-en' ? 'en' : undefined;
}
