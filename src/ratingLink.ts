/**
 * Signed customer-link tokens — rating, quote, service report, status page (docs/api.md, Customer feedback): `<payload>.<signature>`, both base64url. The payload names the
 * request, a token id (single use is enforced by the workflow, which remembers used ids) and the expiry;
 * the signature is HMAC-SHA256 over the payload text, truncated to 128 bits to keep SMS links short.
 * The activity `issueRatingLink` builds `${publicBaseUrl}/r/${token}`; the API verifies it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRequestId } from './temporal/ids';

export interface RatingTokenPayload {
  requestId: string;
  tokenId: string;
  /** ISO-8601 instant after which the link no longer works. */
  expiresAt: string;
}

export type RatingTokenError = { error: 'malformed' | 'bad_signature' | 'expired' };

/**
 * What a customer link is for: the rating (`/r/`), a quote to approve or decline (`/q/`), the service report
 * (`/report/`), the request's progress (`/s/`, the status page). The purpose is part of what is signed, so a token
 * made for one never opens another.
 */
export type LinkPurpose = 'rating' | 'quote' | 'report' | 'status';
export const LINK_PATH: Record<LinkPurpose, string> = { rating: 'r', quote: 'q', report: 'report', status: 's' };

const SIG_BYTES = 16;
const TOKEN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest token we even try to parse; real ones are ~150 characters. */
export const MAX_RATING_TOKEN_LENGTH = 512;
export const RATING_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,480}\.[A-Za-z0-9_-]{22}$/;

function sign(payload: string, secret: string, purpose: LinkPurpose): Buffer {
  return createHmac('sha256', secret).update(`aftercare-${purpose}-v1.${payload}`).digest().subarray(0, SIG_BYTES);
}

export function signRatingToken(p: RatingTokenPayload, secret: string, purpose: LinkPurpose = 'rating'): string {
  if (!secret) throw new Error('rating link secret is empty');
  if (!isRequestId(p.requestId)) throw new Error(`invalid request id for a rating token: ${JSON.stringify(p.requestId)}`);
  if (!TOKEN_ID_PATTERN.test(p.tokenId)) throw new Error(`invalid rating token id: ${JSON.stringify(p.tokenId)}`);
  if (!Number.isFinite(Date.parse(p.expiresAt))) throw new Error(`invalid rating token expiry: ${JSON.stringify(p.expiresAt)}`);
  const payload = Buffer.from(JSON.stringify([p.requestId, p.tokenId, p.expiresAt]), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret, purpose).toString('base64url')}`;
}

export function verifyRatingToken(
  token: string,
  secret: string,
  nowMs: number,
  purpose: LinkPurpose = 'rating',
): RatingTokenPayload | RatingTokenError {
  if (typeof token !== 'string' || token.length > MAX_RATING_TOKEN_LENGTH || !RATING_TOKEN_PATTERN.test(token)) {
    return { error: 'malformed' };
  }
  const [payload = '', sigText = ''] = token.split('.');
  const given = Buffer.from(sigText, 'base64url');
  // One spelling per token: 16 bytes fill 22 characters with 4 bits to spare, and the decoder ignores them, so
  // 16 strings would decode to the same signature. Only the canonical encoding of the decoded bytes is the token.
  if (given.toString('base64url') !== sigText) return { error: 'malformed' };
  const expected = sign(payload, secret, purpose);
  // Signature first, parse after: nothing about an unsigned payload is trusted or reported.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'bad_signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { error: 'malformed' };
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return { error: 'malformed' };
  const [requestId, tokenId, expiresAt] = parsed as unknown[];
  if (!isRequestId(requestId) || typeof tokenId !== 'string' || !TOKEN_ID_PATTERN.test(tokenId) || typeof expiresAt !== 'string') {
    return { error: 'malformed' };
  }
  const expiry = Date.parse(expiresAt);
  if (!Number.isFinite(expiry)) return { error: 'malformed' };
  if (nowMs >= expiry) return { error: 'expired' };
  return { requestId, tokenId, expiresAt };
}

export function isRatingTokenError(v: RatingTokenPayload | RatingTokenError): v is RatingTokenError {
  return 'error' in v;
}
