import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  createStorage,
  InvalidPhotoPathError,
  LocalStorage,
  PhotoNotFoundError,
  PhotoTooLargeError,
  verifyPhotos,
} from '../../src/adapters/storage';

/** A 1×1 PNG and a JPEG header: enough to pass the image check. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0\x01\x01\0\0H\0H\0\0', 'binary'),
  Buffer.alloc(64, 0x11),
]);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let root: string;
let storage: LocalStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aftercare-photos-'));
  storage = new LocalStorage(root, { maxBytes: 4096 });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('LocalStorage put / list / head', () => {
  test('stores a Buffer under <request>/<kind>/<sha256>.<ext> with metadata', async () => {
    const before = Date.now();
    const p = await storage.put('sr-CRM-1001', 'before', PNG, 'image/png');
    expect(p).toMatchObject({ kind: 'before', size: PNG.length, sha256: sha(PNG), contentType: 'image/png' });
    expect(p.key).toBe(`sr-CRM-1001/before/${sha(PNG)}.png`);
    expect(Date.parse(p.storedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await readFile(join(root, p.key))).toEqual(PNG);
  });

  test('accepts a stream; hashes and sizes what was streamed', async () => {
    const parts = [JPEG.subarray(0, 10), JPEG.subarray(10)];
    const p = await storage.put('sr-1', 'after', Readable.from(parts), 'image/jpeg; charset=binary');
    expect(p).toMatchObject({ size: JPEG.length, sha256: sha(JPEG), contentType: 'image/jpeg' });
    expect(p.key.endsWith('.jpg')).toBe(true);
  });

  test('lists every kind with the same fields put returned; other requests stay separate', async () => {
    const a = await storage.put('sr-1', 'before', PNG, 'image/png');
    const b = await storage.put('sr-1', 'signature', JPEG, 'image/jpeg');
    await storage.put('sr-2', 'after', PNG, 'image/png');
    const listed = await storage.list('sr-1');
    expect(listed.map((p) => p.key).sort()).toEqual([a.key, b.key].sort());
    expect(listed.find((p) => p.kind === 'signature')).toEqual(b);
    expect(await storage.list('sr-nothing-yet')).toEqual([]);
  });

  test('re-uploading identical bytes is idempotent (same key, one object)', async () => {
    const a = await storage.put('sr-1', 'after', PNG, 'image/png');
    const b = await storage.put('sr-1', 'after', PNG, 'image/png');
    expect(b.key).toBe(a.key);
    expect(await storage.list('sr-1')).toHaveLength(1);
  });

  test('unknown content types are stored as application/octet-stream', async () => {
    const p = await storage.put('sr-1', 'after', Buffer.from('not a photo'), 'text/plain');
    expect(p.contentType).toBe('application/octet-stream');
    expect(p.key.endsWith('.bin')).toBe(true);
    expect((await storage.list('sr-1'))[0]?.contentType).toBe('application/octet-stream');
  });

  test('head returns the first N bytes (or fewer for short objects)', async () => {
    const p = await storage.put('sr-1', 'before', PNG, 'image/png');
    expect(await storage.head('sr-1', p.key, 8)).toEqual(PNG.subarray(0, 8));
    expect(await storage.head('sr-1', p.key, 4096)).toEqual(PNG);
    expect(await storage.head('sr-1', p.key, 0)).toEqual(Buffer.alloc(0));
    await expect(storage.head('sr-1', p.key, -1)).rejects.toThrow(RangeError);
    await expect(storage.head('sr-1', p.key, 10 * 1024 * 1024)).rejects.toThrow(RangeError);
  });

  test('head of a missing object → PhotoNotFoundError', async () => {
    await expect(storage.head('sr-1', `sr-1/after/${'a'.repeat(64)}.png`, 8)).rejects.toBeInstanceOf(PhotoNotFoundError);
  });

  test('an empty upload is stored (the verifier, not storage, judges it)', async () => {
    const p = await storage.put('sr-1', 'after', Readable.from([]), 'image/jpeg');
    expect(p.size).toBe(0);
    expect(await storage.head('sr-1', p.key, 16)).toEqual(Buffer.alloc(0));
  });

  test('over maxBytes → PhotoTooLargeError and no file or temp file left behind', async () => {
    await expect(storage.put('sr-1', 'after', Readable.from([Buffer.alloc(3000), Buffer.alloc(3000)]), 'image/png')).rejects.toBeInstanceOf(
      PhotoTooLargeError,
    );
    expect(await readdir(join(root, 'sr-1'))).toEqual([]);
  });

  test('list ignores foreign files and temp leftovers', async () => {
    await storage.put('sr-1', 'before', PNG, 'image/png');
    await writeFile(join(root, 'sr-1', 'before', 'notes.txt'), 'x');
    await writeFile(join(root, 'sr-1', '.upload-crashed'), 'x');
    await mkdir(join(root, 'sr-1', 'unknown-kind'));
    expect(await storage.list('sr-1')).toHaveLength(1);
  });
});

describe('LocalStorage stage / commit / discard / delete (uploads)', () => {
  test('stage streams to a hidden temp file: nothing listed until commit, then filed under the kind given', async () => {
    const staged = await storage.stage('sr-1', Readable.from([PNG.subarray(0, 20), PNG.subarray(20)]));
    expect(staged).toMatchObject({ size: PNG.length, sha256: sha(PNG) });
    expect(await storage.list('sr-1')).toEqual([]);
    const temps = (await readdir(join(root, 'sr-1'))).filter((n) => n.startsWith('.upload-'));
    expect(temps).toHaveLength(1);
    expect(await readFile(join(root, 'sr-1', temps[0] as string))).toEqual(PNG);
    const stored = await staged.commit('signature', 'image/png');
    expect(stored).toMatchObject({ key: `sr-1/signature/${sha(PNG)}.png`, kind: 'signature', size: PNG.length, created: true });
    expect(await readdir(join(root, 'sr-1'))).toEqual(['signature']);
    expect(await readFile(join(root, stored.key))).toEqual(PNG);
    await staged.discard(); // after commit: nothing to do, the photo stays
    expect(await storage.list('sr-1')).toHaveLength(1);
  });

  test('commit of bytes already stored under that key: created false, the earlier file kept', async () => {
    const first = await storage.put('sr-1', 'after', PNG, 'image/png');
    const again = await storage.stage('sr-1', PNG);
    const stored = await again.commit('after', 'image/png');
    expect(stored).toMatchObject({ key: first.key, created: false, storedAt: first.storedAt });
    expect(await readdir(join(root, 'sr-1'))).toEqual(['after']);
  });

  test('discard leaves nothing behind', async () => {
    const staged = await storage.stage('sr-1', JPEG);
    await staged.discard();
    await staged.discard();
    expect(await readdir(join(root, 'sr-1'))).toEqual([]);
    await expect(staged.commit('after', 'image/jpeg')).rejects.toThrow(/already committed or discarded/);
  });

  test('a per-call maxBytes below the storage limit; an error from the body removes the temp file', async () => {
    await expect(storage.stage('sr-1', PNG, { maxBytes: PNG.length - 1 })).rejects.toBeInstanceOf(PhotoTooLargeError);
    async function* refused(): AsyncGenerator<Buffer> {
      yield PNG.subarray(0, 10);
      throw new Error('not an image');
    }
    await expect(storage.stage('sr-1', refused())).rejects.toThrow('not an image');
    expect(await readdir(join(root, 'sr-1'))).toEqual([]);
  });

  test('delete removes a photo of this request; absent is fine; other requests and foreign keys are refused', async () => {
    const p = await storage.put('sr-1', 'before', PNG, 'image/png');
    const other = await storage.put('sr-2', 'before', PNG, 'image/png');
    await storage.delete('sr-1', p.key);
    await storage.delete('sr-1', p.key);
    expect(await storage.list('sr-1')).toEqual([]);
    await expect(storage.delete('sr-1', other.key)).rejects.toBeInstanceOf(InvalidPhotoPathError);
    await expect(storage.delete('sr-1', '../../etc/passwd')).rejects.toBeInstanceOf(InvalidPhotoPathError);
    expect(await storage.list('sr-2')).toHaveLength(1);
  });
});

describe('LocalStorage path safety', () => {
  const badIds = ['..', '.', '../etc', 'a/b', 'a\\b', '.hidden', '', 'sr-1/../../x', 'sr 1', 'x'.repeat(201)];
  test.each(badIds.map((id) => [id.length > 40 ? `"${id.slice(0, 8)}…" (${id.length} chars)` : JSON.stringify(id), id]))(
    'request id %s is rejected before touching the disk',
    async (_label, id) => {
      await expect(storage.put(id, 'before', PNG, 'image/png')).rejects.toBeInstanceOf(InvalidPhotoPathError);
      await expect(storage.list(id)).rejects.toBeInstanceOf(InvalidPhotoPathError);
      expect(await readdir(root)).toEqual([]);
    },
  );

  test.each(['../../etc', 'before/..', 'BEFORE', 'receipt', 'documents'])('kind %j is rejected', async (kind) => {
    await expect(storage.put('sr-1', kind as 'before', PNG, 'image/png')).rejects.toBeInstanceOf(InvalidPhotoPathError);
    expect(await readdir(root)).toEqual([]);
  });

  test('head only reads keys of this request in our layout', async () => {
    const other = await storage.put('sr-2', 'before', PNG, 'image/png');
    for (const key of [
      other.key,
      '../../../etc/passwd',
      `sr-1/../sr-2/before/${other.sha256}.png`,
      `sr-1/before/../../sr-2/before/x`,
      `sr-1/before/${other.sha256}.png/..`,
    ]) {
      await expect(storage.head('sr-1', key, 8)).rejects.toBeInstanceOf(InvalidPhotoPathError);
    }
  });

  test('ids with ":" (allowed in external ids) work', async () => {
    const p = await storage.put('sr-crm:2024:0001', 'signature', PNG, 'image/png');
    expect((await storage.list('sr-crm:2024:0001'))[0]?.key).toBe(p.key);
  });
});

describe('verifyPhotos', () => {
  test('all required kinds present as real images → ok', async () => {
    await storage.put('sr-1', 'before', PNG, 'image/png');
    await storage.put('sr-1', 'after', JPEG, 'image/jpeg');
    await storage.put('sr-1', 'signature', PNG, 'image/png');
    expect(await verifyPhotos(storage, 'sr-1', ['before', 'after', 'signature'])).toEqual({
      ok: true,
      present: ['before', 'after', 'signature'],
      missing: [],
      invalid: [],
    });
  });

  test('a text file labelled image/jpeg does not count; nor does an empty one', async () => {
    await storage.put('sr-1', 'before', PNG, 'image/png');
    await storage.put('sr-1', 'after', Buffer.from('hello, I am a JPEG'), 'image/jpeg');
    await storage.put('sr-1', 'signature', Buffer.alloc(0), 'image/png');
    const v = await verifyPhotos(storage, 'sr-1', ['before', 'after', 'signature']);
    expect(v).toEqual({
      ok: false,
      present: ['before'],
      missing: ['after', 'signature'],
      invalid: [
        { kind: 'after', reason: 'the upload is not a real image (text, not an image)' },
        { kind: 'signature', reason: 'the upload is not a real image (empty file)' },
      ],
    });
  });

  test('one good upload among bad ones makes the kind present', async () => {
    await storage.put('sr-1', 'after', Buffer.from('garbage'), 'image/jpeg');
    await storage.put('sr-1', 'after', JPEG, 'image/jpeg');
    await storage.put('sr-1', 'after', Buffer.from([0xff, 0xd8]), 'image/jpeg');
    expect(await verifyPhotos(storage, 'sr-1', ['after'])).toMatchObject({ ok: true, present: ['after'], invalid: [] });
  });

  test('nothing uploaded → every required kind missing, none invalid; only required kinds are checked', async () => {
    await storage.put('sr-1', 'before', Buffer.from('junk'), 'image/png'); // not required below
    expect(await verifyPhotos(storage, 'sr-1', ['after', 'signature', 'after'])).toEqual({
      ok: false,
      present: [],
      missing: ['after', 'signature'],
      invalid: [],
    });
  });

  test('an invoice (proof of purchase) is stored and listed under its own kind, and never stands in for a required photo', async () => {
    const invoice = await storage.put('sr-1', 'invoice', JPEG, 'image/jpeg');
    expect(invoice.key).toBe(`sr-1/invoice/${sha(JPEG)}.jpg`);
    expect(await storage.list('sr-1')).toEqual([invoice]);
    expect(await verifyPhotos(storage, 'sr-1', ['before', 'after', 'signature'])).toEqual({
      ok: false,
      present: [],
      missing: ['before', 'after', 'signature'],
      invalid: [],
    });
  });
});

test('createStorage(config.storage) builds LocalStorage for kind "local"', async () => {
  const s = createStorage({ kind: 'local', dir: root });
  expect(s).toBeInstanceOf(LocalStorage);
  await s.close?.();
});
