import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { RejectedTransitionError, UnavailableError } from '../../src/api/port';
import type { Status } from '../../src/domain/types';
import { makeHeic, makeJpeg, makePng, pngOfSize, WEBP } from '../support/imageFiles';
import { bearer, makeApp, multipart, TOKENS, type TestApp } from './support';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ limits: { photoMaxBytes: 64 * 1024 } });
  t.port.seed({ requestId: 'sr-P1', status: 'completed', technicianId: 't1001' });
});

const upload = (parts: Parameters<typeof multipart>[0], token: string | null = TOKENS.tech1, id = 'sr-P1') => {
  const { payload, headers } = multipart(parts);
  return t.app.inject({
    method: 'POST',
    url: `/v1/service-requests/${id}/photos`,
    headers: { ...headers, ...(token ? bearer(token) : {}) },
    payload,
  });
};
const png = (data = makePng()) => ({ name: 'file', filename: 'after.png', contentType: 'image/png', data });
const jpeg = (data = makeJpeg()) => ({ name: 'file', filename: 'x.jpg', contentType: 'image/jpeg', data });

describe('POST /v1/service-requests/:id/photos', () => {
  test('201 stores the photo and tells the workflow', async () => {
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'after', contentType: 'image/png', size: makePng().length });
    expect(body.key).toMatch(/^sr-P1\/after\/[0-9a-f]{64}\.png$/);
    expect(await t.storage.list('sr-P1')).toEqual([expect.objectContaining({ key: body.key, kind: 'after' })]);
    expect(t.port.calls.at(-1)).toEqual({
      method: 'signalPhoto',
      id: 'sr-P1',
      record: { kind: 'after', key: body.key, at: expect.any(String) },
    });
  });

  test('JPEG signature photo; identical re-upload lands on the same key', async () => {
    const jpg = jpeg();
    const a = await upload([{ name: 'kind', value: 'signature' }, jpg]);
    const b = await upload([{ name: 'kind', value: 'signature' }, jpg]);
    expect(a.statusCode).toBe(201);
    expect(b.json().key).toBe(a.json().key);
  });

  test('400: missing or unknown kind, missing file', async () => {
    for (const parts of [[png()], [{ name: 'kind', value: 'selfie' }, png()], [{ name: 'kind', value: '' }, png()]]) {
      const res = await upload(parts);
      expect(res.statusCode).toBe(400);
      expect(res.json().details.map((d: { path: string }) => d.path)).toContain('kind');
    }
    const none = await upload([{ name: 'kind', value: 'after' }]);
    expect(none.statusCode).toBe(400);
    expect(none.json().details[0].path).toBe('file');
    expect(t.port.count('signalPhoto')).toBe(0);
  });

  test('400: bytes that are not the declared image', async () => {
    const text = await upload([
      { name: 'kind', value: 'before' },
      { name: 'file', filename: 'x.png', contentType: 'image/png', data: Buffer.from('hello, not a picture') },
    ]);
    expect(text.statusCode).toBe(400);
    expect(text.json().details[0]).toEqual({ path: 'file', message: expect.stringContaining('not a valid image') });
    const mismatch = await upload([
      { name: 'kind', value: 'before' },
      { name: 'file', filename: 'x.jpg', contentType: 'image/jpeg', data: makePng() },
    ]);
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().details[0].message).toContain('content is png');
    expect(await t.storage.list('sr-P1')).toEqual([]);
  });

  test('415: not multipart, or a declared type that is not an image we keep', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: '/v1/service-requests/sr-P1/photos',
      headers: bearer(TOKENS.tech1),
      payload: { kind: 'after' },
    });
    expect(json.statusCode).toBe(415);
    const pdf = await upload([
      { name: 'kind', value: 'after' },
      { name: 'file', filename: 'x.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4') },
    ]);
    expect(pdf.statusCode).toBe(415);
    expect(pdf.json().error).toBe('unsupported_media_type');
  });

  test('413: larger than the limit', async () => {
    const res = await upload([{ name: 'kind', value: 'after' }, png(pngOfSize(70 * 1024))]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('payload_too_large');
    expect(await t.storage.list('sr-P1')).toEqual([]);
  });

  test('401, 403 (wrong role), 404 (not assigned, as for a missing request)', async () => {
    const parts = [{ name: 'kind', value: 'after' }, png()];
    expect((await upload(parts, null)).statusCode).toBe(401);
    expect((await upload(parts, TOKENS.tech2)).statusCode).toBe(404);
    expect((await upload(parts, TOKENS.ops)).statusCode).toBe(403);
    expect((await upload(parts, TOKENS.tech1, 'sr-NOPE')).statusCode).toBe(404);
    expect(await t.storage.list('sr-P1')).toEqual([]);
  });

  test('503 when Temporal is down', async () => {
    t.port.unavailable = true;
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });

  test('503 when storage fails (staging, or filing the photo); nothing is signalled, nothing left behind', async () => {
    const stage = t.storage.stage.bind(t.storage);
    t.storage.stage = async () => {
      throw new Error('disk on fire');
    };
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toContain('storage');
    t.storage.stage = async (...args) => {
      const staged = await stage(...args);
      return {
        ...staged,
        size: staged.size,
        sha256: staged.sha256,
        commit: async () => {
          throw new Error('disk on fire');
        },
      };
    };
    const commit = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(commit.statusCode).toBe(503);
    expect(t.port.count('signalPhoto')).toBe(0);
    expect(await filesWithBytes(t.storageDir)).toEqual([]);
  });
});

/** The body as a stream of small chunks, each a turn of the event loop apart, as it comes off a network. */
function trickle(payload: Buffer, size = 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      setImmediate(() => {
        if (at >= payload.length) return void this.push(null);
        this.push(payload.subarray(at, at + size));
        at += size;
      });
    },
  });
}

const uploadStream = (payload: Readable, headers: Record<string, string>, app = t) =>
  app.app.inject({ method: 'POST', url: '/v1/service-requests/sr-P1/photos', headers: { ...headers, ...bearer(TOKENS.tech1) }, payload });

/** Every file under `dir` with at least one byte, recursively. */
async function filesWithBytes(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesWithBytes(p)));
    else if ((await stat(p)).size > 0) out.push(p);
  }
  return out;
}

describe('kind before or after the file', () => {
  test('kind after a 3 MB file is accepted, and the photo is filed under that kind', async () => {
    const big = await makeApp({ limits: { photoMaxBytes: 10 * 1024 * 1024 } });
    big.port.seed({ requestId: 'sr-P1', status: 'completed', technicianId: 't1001' });
    const file = pngOfSize(3 * 1024 * 1024);
    const { payload, headers } = multipart([png(file), { name: 'kind', value: 'before' }]);
    const res = await uploadStream(trickle(payload, 64 * 1024), headers, big);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'before', size: file.length });
    expect(res.json().key).toMatch(/^sr-P1\/before\//);
    expect(big.port.count('signalPhoto')).toBe(1);
  });

  test.each([
    ['kind first', true],
    ['kind last', false],
  ])('%s, body in 1 KiB chunks or in one piece: the same 201', async (_name, kindFirst) => {
    const file = pngOfSize(20 * 1024);
    const parts = kindFirst ? [{ name: 'kind', value: 'after' }, png(file)] : [png(file), { name: 'kind', value: 'after' }];
    const { payload, headers } = multipart(parts);
    const chunked = await uploadStream(trickle(payload), headers);
    const whole = await upload(parts);
    for (const res of [chunked, whole]) {
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ kind: 'after', size: file.length });
    }
  });

  test('kind sent twice with different values: 400 naming kind, nothing stored', async () => {
    const res = await upload([{ name: 'kind', value: 'after' }, png(), { name: 'kind', value: 'before' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].path).toBe('kind');
    expect(await t.storage.list('sr-P1')).toEqual([]);
    expect(t.port.count('signalPhoto')).toBe(0);
  });
});

describe('only while a visit is under way or just done', () => {
  test.each<Status>(['accepted', 'scheduled', 'on_site', 'on_hold', 'completed', 'follow_up'])('%s: 201', async (status) => {
    t.port.seed({ requestId: 'sr-P1', status, technicianId: 't1001' });
    expect((await upload([{ name: 'kind', value: 'before' }, png()])).statusCode).toBe(201);
  });

  test.each<[Status, string]>([
    ['assigned', 'not accepted'],
    ['escalated', 'not accepted'],
    ['closed', 'closed'],
    ['cancelled', 'cancelled'],
  ])('%s: 409 with the reason, nothing stored, the workflow not told', async (status, reason) => {
    t.port.seed({ requestId: 'sr-P1', status, technicianId: 't1001' });
    const res = await upload([{ name: 'kind', value: 'before' }, png()]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'invalid_transition', details: [{ path: 'status' }] });
    expect(res.json().message).toContain(reason);
    expect(await t.storage.list('sr-P1')).toEqual([]);
    expect(t.port.count('signalPhoto')).toBe(0);
  });
});

describe('the whole file must be the declared image', () => {
  test.each([
    ['JPEG', 'image/jpeg', makeJpeg({ blocks: 3, scanPadding: 200 }), 'jpg'],
    ['WebP', 'image/webp', WEBP, 'webp'],
    ['HEIC', 'image/heic', makeHeic(), 'heic'],
  ])('%s: 201', async (_name, contentType, data, ext) => {
    const res = await upload([
      { name: 'kind', value: 'after' },
      { name: 'file', filename: `x.${ext}`, contentType, data },
    ]);
    expect(res.statusCode).toBe(201);
    expect(res.json().key.endsWith(`.${ext}`)).toBe(true);
  });

  const p = makePng();
  const j = makeJpeg({ blocks: 2 });
  const h = makeHeic();
  test.each([
    ['PNG cut before IEND', 'image/png', p.subarray(0, p.length - 12), 'truncated'],
    ['PNG with bytes after IEND', 'image/png', Buffer.concat([p, Buffer.from('<?php echo 1; ?>')]), 'after'],
    ['PNG with a corrupted chunk', 'image/png', Buffer.concat([p.subarray(0, 45), Buffer.from([p[45]! ^ 0xff]), p.subarray(46)]), 'CRC'],
    ['JPEG cut before EOI', 'image/jpeg', j.subarray(0, j.length - 2), 'truncated'],
    ['JPEG padded after EOI', 'image/jpeg', Buffer.concat([j, Buffer.alloc(16)]), 'after'],
    ['WebP cut short', 'image/webp', WEBP.subarray(0, WEBP.length - 3), 'truncated'],
    ['WebP padded', 'image/webp', Buffer.concat([WEBP, Buffer.from('PK\x03\x04', 'binary')]), 'after'],
    ['HEIC cut inside mdat', 'image/heic', h.subarray(0, h.length - 5), 'truncated'],
    ['HEIC padded with zeros', 'image/heic', Buffer.concat([h, Buffer.alloc(12)]), 'HEIC'],
  ])('%s: 400 naming file, nothing stored, the workflow not told', async (_name, contentType, data, reason) => {
    const res = await upload([
      { name: 'kind', value: 'after' },
      { name: 'file', filename: 'x', contentType, data },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0]).toEqual({ path: 'file', message: expect.stringContaining('not a valid image') });
    expect(res.json().details[0].message).toContain(reason);
    expect(await filesWithBytes(t.storageDir)).toEqual([]);
    expect(t.port.count('signalPhoto')).toBe(0);
  });
});

describe('streamed to storage', () => {
  test('the first bytes are in storage while the rest of the body is still arriving', async () => {
    const file = pngOfSize(48 * 1024);
    const { payload, headers } = multipart([{ name: 'kind', value: 'after' }, png(file)]);
    const body = new PassThrough();
    const pending = uploadStream(body, headers);
    try {
      body.write(payload.subarray(0, 32 * 1024));
      const deadline = Date.now() + 30_000;
      while ((await filesWithBytes(t.storageDir)).length === 0) {
        if (Date.now() > deadline) throw new Error('nothing reached storage before the body was complete');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      body.end(payload.subarray(32 * 1024));
    }
    const res = await pending;
    expect(res.statusCode).toBe(201);
    expect((await t.storage.list('sr-P1')).map((x) => x.size)).toEqual([file.length]);
  });
});

describe('per-request quota', () => {
  test('photos per request: the one over the limit is 409, nothing more stored', async () => {
    const q = await makeApp({ limits: { photoMaxBytes: 64 * 1024, photoMaxPerRequest: 2 } });
    q.port.seed({ requestId: 'sr-P1', status: 'on_site', technicianId: 't1001' });
    const send = (data: Buffer) => {
      const { payload, headers } = multipart([{ name: 'kind', value: 'before' }, png(data)]);
      return q.app.inject({
        method: 'POST',
        url: '/v1/service-requests/sr-P1/photos',
        headers: { ...headers, ...bearer(TOKENS.tech1) },
        payload,
      });
    };
    expect((await send(makePng(2, 2))).statusCode).toBe(201);
    expect((await send(makePng(3, 3))).statusCode).toBe(201);
    const third = await send(makePng(4, 4));
    expect(third.statusCode).toBe(409);
    expect(third.json()).toMatchObject({ error: 'quota_exceeded', details: [{ path: 'file' }] });
    expect(third.json().message).toContain('2 photos');
    expect(third.headers.connection).toBe('close'); // refused before its body was read
    expect(await q.storage.list('sr-P1')).toHaveLength(2);
    expect(q.port.count('signalPhoto')).toBe(2);
  });

  test('uploads at the same time cannot pass the quota together', async () => {
    const q = await makeApp({ limits: { photoMaxBytes: 64 * 1024, photoMaxPerRequest: 1 } });
    q.port.seed({ requestId: 'sr-P1', status: 'on_site', technicianId: 't1001' });
    const results = await Promise.all(
      [makePng(2, 2), makePng(3, 3), makePng(4, 4)].map((data) => {
        const { payload, headers } = multipart([{ name: 'kind', value: 'after' }, png(data)]);
        return uploadStream(trickle(payload, 256), headers, q);
      }),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(await q.storage.list('sr-P1')).toHaveLength(1);
    expect(q.port.count('signalPhoto')).toBe(1);
  });

  test('bytes per request: an upload that would pass the total is 409, nothing more stored', async () => {
    const q = await makeApp({ limits: { photoMaxBytes: 64 * 1024, photoMaxBytesPerRequest: 50 * 1024 } });
    q.port.seed({ requestId: 'sr-P1', status: 'on_site', technicianId: 't1001' });
    const send = (data: Buffer) => {
      const { payload, headers } = multipart([{ name: 'kind', value: 'before' }, png(data)]);
      return uploadStream(Readable.from([payload]), headers, q);
    };
    expect((await send(pngOfSize(30 * 1024))).statusCode).toBe(201);
    const over = await send(pngOfSize(30 * 1024));
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ error: 'quota_exceeded', details: [{ path: 'file' }] });
    expect(await q.storage.list('sr-P1')).toHaveLength(1);
    expect(await filesWithBytes(q.storageDir)).toHaveLength(1);
    expect(q.port.count('signalPhoto')).toBe(1);
  });
});

describe('stored and the workflow told in one step', () => {
  test('the workflow cannot be told (Temporal down): the stored photo is removed, 503', async () => {
    t.port.signalPhoto = async () => {
      throw new UnavailableError('the workflow service is unavailable; retry later', 7);
    };
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(503);
    expect(await t.storage.list('sr-P1')).toEqual([]);
    expect(await filesWithBytes(t.storageDir)).toEqual([]);
  });

  test('the request closed meanwhile: the stored photo is removed, 409', async () => {
    t.port.signalPhoto = async () => {
      throw new RejectedTransitionError('photo', 'service request sr-P1 is closed');
    };
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(409);
    expect(await filesWithBytes(t.storageDir)).toEqual([]);
  });

  test('a failed re-upload never removes the same photo uploaded (and announced) before', async () => {
    const first = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(first.statusCode).toBe(201);
    t.port.signalPhoto = async () => {
      throw new UnavailableError();
    };
    expect((await upload([{ name: 'kind', value: 'after' }, png()])).statusCode).toBe(503);
    expect((await t.storage.list('sr-P1')).map((x) => x.key)).toEqual([first.json().key]);
  });
});
