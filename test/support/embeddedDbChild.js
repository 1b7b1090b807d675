/**
 * The embedded reporting database (src/reporting/embedded.ts: PGlite behind its socket server) in a process of its
 * own for jest: PGlite loads its WebAssembly through a dynamic import, which jest's module sandbox cannot run. Prints
 * its URL on one line, stops when its stdin closes (the test process ended or stopped it).
 */
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');

(async () => {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  const conn = server.getServerConn();
  process.stdout.write(`postgres://postgres:postgres@127.0.0.1:${conn.slice(conn.lastIndexOf(':') + 1)}/postgres?sslmode=disable\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server
      .stop()
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
})().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
