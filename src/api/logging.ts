/**
 * Request logging: ids from X-Request-Id (when it looks like an id) or random, and a request serializer that
 * never logs query strings or rating-link tokens (they are credentials). PII redaction itself lives in
 * src/logger.ts and applies to every log line.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function genReqId(req: IncomingMessage): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && REQUEST_ID.test(h) ? h : randomUUID();
}

/**
 * Path only; a customer link's token (`/r/`, `/q/`, `/report/`, `/s/`) becomes `…`: `/report/<token>/pdf` → `/report/…/pdf`,
 * and so does a customer's phone: `/v1/customers/<phone>/service-requests` → `/v1/customers/…/service-requests`.
 */
export function safeUrl(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  // Customer-link tokens, the UI's codec key and customers' phones travel in the path; none belongs in logs.
  // The phone is masked after any `customers` segment, whatever the case or slashes around it (a mistyped path is
  // logged too), and in any spelling: URL-encoded (`%2B86%20138…`) it would slip past the logger's mobile mask.
  return path
    .replace(/^\/(r|q|report|s)\/(?!assets\/)[^/]+/, '/$1/…')
    .replace(/^\/codec\/(?!encode$|decode$)[^/]+/, '/codec/…')
    .replace(/(\/customers)((?:\/|%2F)+)[^/]+/gi, '$1$2…')
    .slice(0, 200);
}

interface ReqLike {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

export function apiLogger(logger: Logger): Logger {
  return logger.child(
    {},
    {
      serializers: {
        req: (req: ReqLike) => ({ method: req.method, url: safeUrl(req.url), remoteAddress: req.ip }),
      },
    },
  );
}
