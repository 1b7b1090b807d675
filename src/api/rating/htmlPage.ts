import type { FastifyReply } from 'fastify';

/** A customer page (rating, quote): HTML, never cached, never indexed. */
export function htmlPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(html);
}
