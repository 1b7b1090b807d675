/**
 * The embedded reporting database `npm start` runs when no DATABASE_URL is given: PGlite (PostgreSQL compiled to
 * WebAssembly, in this process) with its data under var/, served on a loopback port by its socket server so the worker,
 * the API and `npm run report` all talk plain PostgreSQL to it — the same client code as a real server.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { embeddedUrl } from './pool';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDbOptions {
  /** Data directory; omitted: in memory (tests). */
  dataDir?: string;
  port?: number;
  host?: string;
}

export async function startEmbeddedDb(o: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  if (o.dataDir) mkdirSync(o.dataDir, { recursive: true });
  const db = await PGlite.create(o.dataDir);
  const host = o.host ?? '127.0.0.1';
  // PGlite runs one query at a time; the server queues the connections' queries, so many clients may connect.
  const server = new PGLiteSocketServer({ db, host, port: o.port ?? 0, maxConnections: 64 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return {
    url: embeddedUrl(host, port),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
