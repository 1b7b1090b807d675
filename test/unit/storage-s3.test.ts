/**
 * S3Storage against a tiny S3 emulator on 127.0.0.1 (path-style): PutObject, ListObjectsV2 (paginated)
 * and ranged GetObject, answered with the XML and status codes S3 uses. Real SDK, real HTTP, real SigV4
 * headers — only the store behind them is fake.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createStorage, InvalidPhotoPathError, PhotoNotFoundError, S3Storage, verifyPhotos } from '../../src/adapters/storage';

const BUCKET = 'aftercare-photos';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x16]),
  Buffer.from('Exif\0\0MM\0*', 'binary'),
  Buffer.alloc(200, 7),
]);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface FakeObject {
  body: Buffer;
  contentType?: string;
  metadata: Record<string, string>;
  lastModified: Date;
}
interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

/** The emulator: objects by key, every request recorded, a page size small enough to force pagination. */
class FakeS3 {
  objects = new Map<string, FakeObject>();
  seen: Seen[] = [];
  pageSize = 2;
  ignoreRange = false;
  /** The next this many PUTs are answered 500 InternalError (after their body was read). */
  failPuts = 0;
  private server: Server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    this.seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers });

    if (bucket !== BUCKET) return xmlError(res, 404, 'NoSuchBucket');
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=test-key/')) {
      return xmlError(res, 403, 'AccessDenied');
    }
    if (req.method === 'PUT' && key && this.failPuts > 0) {
      this.failPuts--;
      return xmlError(res, 500, 'InternalError');
    }
    if (req.method === 'DELETE' && key) {
      this.objects.delete(key);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'PUT' && key) {
      const metadata: Record<string, string> = {};
      for (const [h, v] of Object.entries(req.headers)) if (h.startsWith('x-amz-meta-')) metadata[h.slice(11)] = String(v);
      this.objects.set(key, { body, contentType: req.headers['content-type'], metadata, lastModified: new Date() });
      res.writeHead(200, { ETag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
      return;
    }
    if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const all = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = Number(url.searchParams.get('continuation-token') ?? '0');
      const size = Math.min(this.pageSize, Number(url.searchParams.get('max-keys') ?? this.pageSize));
      const page = all.slice(start, start + size);
      const truncated = start + size < all.length;
      const contents = page
        .map((k) => {
          const o = this.objects.get(k) as FakeObject;
          return `<Contents><Key>${esc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"x"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join('');
      res
        .writeHead(200, { 'Content-Type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
            `<Name>${BUCKET}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
            `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${start + size}</NextContinuationToken>` : ''}` +
            `${contents}</ListBucketResult>`,
        );
      return;
    }
    if (req.method === 'GET' && key) {
      const o = this.objects.get(key);
      if (!o) return xmlError(res, 404, 'NoSuchKey');
      const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ''));
      if (!m || this.ignoreRange) {
        res.writeHead(200, { 'Content-Type': o.contentType ?? 'application/octet-stream', 'Content-Length': o.body.length }).end(o.body);
        return;
      }
      const from = Number(m[1]);
      if (from >= o.body.length) return xmlError(res, 416, 'InvalidRange');
      const to = Math.min(Number(m[2]), o.body.length - 1);
      const part = o.body.subarray(from, to + 1);
      res
        .writeHead(206, {
          'Content-Type': o.contentType ?? 'application/octet-stream',
          'Content-Length': part.length,
          'Content-Range': `bytes ${from}-${to}/${o.body.length}`,
        })
        .end(part);
      return;
    }
    xmlError(res, 405, 'MethodNotAllowed');
  }
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function xmlError(res: ServerResponse, status: number, code: string): void {
  res
    .writeHead(status, { 'Content-Type': 'application/xml' })
    .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>fake</RequestId></Error>`);
}

const fake = new FakeS3();
let endpoint: string;
let storage: S3Storage;

beforeAll(async () => {
  endpoint = await fake.start();
});
let spoolDir: string;
beforeEach(async () => {
  fake.objects.clear();
  fake.seen = [];
  fake.ignoreRange = false;
  fake.failPuts = 0;
  spoolDir = await mkdtemp(join(tmpdir(), 'aftercare-s3-spool-'));
  storage = new S3Storage({
    spoolDir,
    bucket: BUCKET,
    region: 'cn-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret' },
    prefix: 'aftercare/',
    maxBytes: 4096,
  });
});
afterEach(async () => {
  await storage.close();
  await rm(spoolDir, { recursive: true, force: true });
});
afterAll(async () => {
  await fake.stop();
});

describe('S3Storage against a local S3 emulator', () => {
  test('put → one signed path-style PutObject with type, length and sha256 metadata', async () => {
    const p = await storage.put('sr-CRM-1001', 'before', PNG, 'image/png');
    expect(p).toMatchObject({
      key: `sr-CRM-1001/before/${sha(PNG)}.png`,
      kind: 'before',
      size: PNG.length,
      sha256: sha(PNG),
      contentType: 'image/png',
    });
    const put = fake.seen.find((s) => s.method === 'PUT');
    expect(put?.path).toBe(`/${BUCKET}/aftercare/sr-CRM-1001/before/${sha(PNG)}.png`);
    expect(put?.headers['content-type']).toBe('image/png');
    expect(put?.headers['content-length']).toBe(String(PNG.length));
    expect(put?.headers['x-amz-content-sha256']).toBeDefined();
    const stored = fake.objects.get(`aftercare/${p.key}`);
    expect(stored?.body).toEqual(PNG);
    expect(stored?.metadata).toMatchObject({ sha256: sha(PNG), kind: 'before', 'request-id': 'sr-CRM-1001' });
  });

  test('put accepts a stream; over maxBytes is refused before any request', async () => {
    const p = await storage.put('sr-1', 'after', Readable.from([JPEG.subarray(0, 50), JPEG.subarray(50)]), 'image/jpeg');
    expect(p).toMatchObject({ size: JPEG.length, sha256: sha(JPEG), contentType: 'image/jpeg' });
    fake.seen = [];
    await expect(storage.put('sr-1', 'after', Readable.from([Buffer.alloc(3000), Buffer.alloc(3000)]), 'image/jpeg')).rejects.toThrow(
      /larger than 4096/,
    );
    expect(fake.seen).toEqual([]);
  });

  test('list pages through ListObjectsV2 by prefix and parses kind, sha and type from keys', async () => {
    const a = await storage.put('sr-1', 'before', PNG, 'image/png');
    const b = await storage.put('sr-1', 'after', JPEG, 'image/jpeg');
    const c = await storage.put('sr-1', 'signature', Buffer.from('x'), 'text/plain');
    await storage.put('sr-10', 'before', PNG, 'image/png'); // shares the "sr-1" string prefix, not the folder
    fake.objects.set('aftercare/sr-1/notes.txt', { body: Buffer.from('x'), metadata: {}, lastModified: new Date() });
    fake.seen = [];

    const listed = await storage.list('sr-1');
    expect(listed.map((p) => p.key).sort()).toEqual([a.key, b.key, c.key].sort());
    expect(listed.find((p) => p.kind === 'signature')).toMatchObject({
      size: 1,
      contentType: 'application/octet-stream',
      sha256: c.sha256,
    });
    const lists = fake.seen.filter((s) => s.query.get('list-type') === '2');
    expect(lists.length).toBe(2); // 4 objects under the prefix, pages of 2
    expect(lists.every((s) => s.query.get('prefix') === 'aftercare/sr-1/')).toBe(true);
    expect(lists[1]?.query.get('continuation-token')).toBe('2');
    expect(await storage.list('sr-none')).toEqual([]);
  });

  test('head sends a Range request and returns the first N bytes', async () => {
    const p = await storage.put('sr-1', 'after', JPEG, 'image/jpeg');
    expect(await storage.head('sr-1', p.key, 16)).toEqual(JPEG.subarray(0, 16));
    expect(fake.seen.at(-1)?.headers.range).toBe('bytes=0-15');
    expect(await storage.head('sr-1', p.key, 4096)).toEqual(JPEG);
  });

  test('head: a store that ignores Range still yields at most N bytes', async () => {
    const p = await storage.put('sr-1', 'after', JPEG, 'image/jpeg');
    fake.ignoreRange = true;
    expect(await storage.head('sr-1', p.key, 10)).toEqual(JPEG.subarray(0, 10));
  });

  test('head: NoSuchKey → PhotoNotFoundError; empty object (416) → empty buffer', async () => {
    await expect(storage.head('sr-1', `sr-1/after/${'b'.repeat(64)}.jpg`, 8)).rejects.toBeInstanceOf(PhotoNotFoundError);
    const empty = await storage.put('sr-1', 'signature', Buffer.alloc(0), 'image/png');
    expect(await storage.head('sr-1', empty.key, 8)).toEqual(Buffer.alloc(0));
  });

  test('request ids with ":" survive URL encoding both ways', async () => {
    const p = await storage.put('sr-crm:2024:7', 'signature', PNG, 'image/png');
    expect(fake.objects.has(`aftercare/${p.key}`)).toBe(true);
    expect((await storage.list('sr-crm:2024:7')).map((x) => x.key)).toEqual([p.key]);
    expect(await storage.head('sr-crm:2024:7', p.key, 8)).toEqual(PNG.subarray(0, 8));
  });

  test('invalid ids, kinds and foreign keys never reach the network', async () => {
    await expect(storage.put('../x', 'before', PNG, 'image/png')).rejects.toBeInstanceOf(InvalidPhotoPathError);
    await expect(storage.put('sr-1', 'receipt' as 'before', PNG, 'image/png')).rejects.toBeInstanceOf(InvalidPhotoPathError);
    await expect(storage.list('a/b')).rejects.toBeInstanceOf(InvalidPhotoPathError);
    await expect(storage.head('sr-1', `sr-2/before/${sha(PNG)}.png`, 8)).rejects.toBeInstanceOf(InvalidPhotoPathError);
    expect(fake.seen).toEqual([]);
  });

  test('verifyPhotos works over S3 and judges by content', async () => {
    await storage.put('sr-1', 'before', PNG, 'image/png');
    await storage.put('sr-1', 'after', Buffer.from('just text'), 'image/jpeg');
    expect(await verifyPhotos(storage, 'sr-1', ['before', 'after', 'signature'])).toEqual({
      ok: false,
      present: ['before'],
      missing: ['after', 'signature'],
      invalid: [{ kind: 'after', reason: 'the upload is not a real image (text, not an image)' }],
    });
  });

  test('an invoice is stored under <request>/invoice/ and listed; the photo check does not count it', async () => {
    const invoice = await storage.put('sr-1', 'invoice', PNG, 'image/png');
    expect(invoice.key).toBe(`sr-1/invoice/${sha(PNG)}.png`);
    expect(fake.objects.has(`aftercare/${invoice.key}`)).toBe(true);
    expect(await storage.list('sr-1')).toEqual([expect.objectContaining({ key: invoice.key, kind: 'invoice' })]);
    expect(await verifyPhotos(storage, 'sr-1', ['before', 'after', 'signature'])).toMatchObject({ ok: false, present: [] });
  });

  test('stage spools to a file, nothing in the bucket; commit is one PutObject of the file with its length; the spool is removed', async () => {
    const staged = await storage.stage('sr-1', Readable.from([JPEG.subarray(0, 50), JPEG.subarray(50)]));
    expect(staged).toMatchObject({ size: JPEG.length, sha256: sha(JPEG) });
    expect(fake.seen).toEqual([]);
    expect(await readdir(spoolDir)).toHaveLength(1);
    const stored = await staged.commit('after', 'image/jpeg');
    expect(stored).toMatchObject({ key: `sr-1/after/${sha(JPEG)}.jpg`, kind: 'after', created: true });
    const puts = fake.seen.filter((x) => x.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.headers['content-length']).toBe(String(JPEG.length));
    expect(fake.objects.get(`aftercare/${stored.key}`)?.body).toEqual(JPEG);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  test('commit of bytes already in the bucket under that key: created false, no PutObject', async () => {
    const first = await storage.put('sr-1', 'before', PNG, 'image/png');
    fake.seen = [];
    const again = await (await storage.stage('sr-1', PNG)).commit('before', 'image/png');
    expect(again).toMatchObject({ key: first.key, created: false });
    expect(fake.seen.map((x) => x.method)).toEqual(['GET']); // the exact-key listing only
    expect(await readdir(spoolDir)).toEqual([]);
  });

  test('discard removes the spool file without a request; over maxBytes leaves no spool file', async () => {
    const staged = await storage.stage('sr-1', PNG);
    await staged.discard();
    expect(await readdir(spoolDir)).toEqual([]);
    await expect(storage.stage('sr-1', Readable.from([Buffer.alloc(3000), Buffer.alloc(3000)]))).rejects.toThrow(/larger than 4096/);
    expect(await readdir(spoolDir)).toEqual([]);
    expect(fake.seen).toEqual([]);
  });

  test('a PutObject answered 500 is sent again with the whole file', async () => {
    fake.failPuts = 1;
    const stored = await storage.put('sr-1', 'after', JPEG, 'image/jpeg');
    expect(fake.seen.filter((x) => x.method === 'PUT')).toHaveLength(2);
    expect(fake.objects.get(`aftercare/${stored.key}`)?.body).toEqual(JPEG);
  });

  test('delete sends DeleteObject for a key of this request only', async () => {
    const p = await storage.put('sr-1', 'before', PNG, 'image/png');
    await storage.delete('sr-1', p.key);
    expect(fake.seen.at(-1)).toMatchObject({ method: 'DELETE', path: `/${BUCKET}/aftercare/${p.key}` });
    expect(fake.objects.has(`aftercare/${p.key}`)).toBe(false);
    fake.seen = [];
    await expect(storage.delete('sr-2', p.key)).rejects.toBeInstanceOf(InvalidPhotoPathError);
    expect(fake.seen).toEqual([]);
  });

  test('createStorage(config.storage) builds S3Storage for kind "s3"', async () => {
    const s = createStorage({ kind: 's3', dir: 'unused', s3: { bucket: BUCKET, region: 'us-east-1', endpoint, forcePathStyle: true } });
    expect(s).toBeInstanceOf(S3Storage);
    await s.close?.();
    expect(() => createStorage({ kind: 's3', dir: 'unused' })).toThrow(/s3\.bucket/);
  });
});
