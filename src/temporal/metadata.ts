/**
 * What the Temporal Web UI shows at the top of a request (user metadata `staticSummary` / `staticDetails`,
 * set when the workflow starts): ticket, type, urgency, channel, product — never the customer's name, phone,
 * address or the free-text problem description (it may quote them). Markdown is rendered by the UI.
 */
import type { ServiceRequestStart } from '../../workflows/messages';
import { ticketNumber } from './ids';

export interface RequestMetadata {
  staticSummary: string;
  staticDetails: string;
}

/** One line of caller text, shortened, with markdown's special characters escaped (shown literally). */
const clean = (s: string | undefined, max = 80): string =>
  (s ?? '')
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, max)
    .replace(/([\\`*_{}[\]()<>#+!|~])/g, '\\$1');

export function requestMetadata(start: Pick<ServiceRequestStart, 'requestId' | 'request' | 'policy'>): RequestMetadata {
  const r = start.request;
  const ticket = ticketNumber(start.requestId);
  const flags = [r.urgency, ...(r.vip ? ['VIP'] : [])].join(', ');
  const staticSummary = `${ticket} · ${r.type} · ${flags} · ${clean(r.product.model, 40)}`;
  const staticDetails = [
    `**Ticket** ${ticket}`,
    `**Type** ${r.type} · **Urgency** ${r.urgency}${r.vip ? ' · **VIP**' : ''} · **Channel** ${r.channel}`,
    `**Product** ${clean(r.product.model, 60)} (${clean(r.product.category, 40)}), purchased ${clean(r.product.purchaseDate, 10)}`,
    ...(r.externalId ? [`**External id** ${clean(r.externalId, 100)}`] : []),
    `**Policy** ${clean(start.policy.version, 40)}`,
  ].join('\n');
  return { staticSummary, staticDetails };
}
