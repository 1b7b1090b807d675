import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type Lang, pickLanguage } from './page';

/** A customer page (rating, quote, service report): HTML, never cached, never indexed. */
export function htmlPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(html);
}

/**
 * A customer page's error handler: its own friendly pages, never JSON or a stack trace. Bad input (a malformed
 * URL, a 4xx from a layer in front) is "this link is not valid"; anything else is logged and "unavailable".
 */
export function customerPageErrors(
  what: string,
  message: (reply: FastifyReply, lang: Lang, outcome: 'invalid' | 'unavailable') => FastifyReply,
): (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (err, req, reply) => {
    const lang = pickLanguage(req.headers['accept-language']);
    if (err.validation || (err.statusCode !== undefined && err.statusCode < 500)) return message(reply, lang, 'invalid');
    req.log.error({ err }, `${what} failed`);
    return message(reply, lang, 'unavailable');
  };
}
