import { bearer, jpegBytes, makeApp, multipart, pngBytes, TOKENS, type TestApp } from './support';

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
const png = (data = pngBytes()) => ({ name: 'file', filename: 'after.png', contentType: 'image/png', data });

describe('POST /v1/service-requests/:id/photos', () => {
  test('201 stores the photo and tells the workflow', async () => {
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'after', contentType: 'image/png', size: pngBytes().length });
    expect(body.key).toMatch(/^sr-P1\/after\/[0-9a-f]{64}\.png$/);
    expect(await t.storage.list('sr-P1')).toEqual([expect.objectContaining({ key: body.key, kind: 'after' })]);
    expect(t.port.calls.at(-1)).toEqual({
      method: 'signalPhoto',
      id: 'sr-P1',
      record: { kind: 'after', key: body.key, at: expect.any(String) },
    });
  });

  test('JPEG signature photo; identical re-upload lands on the same key', async () => {
    const jpg = { name: 'file', filename: 's.jpg', contentType: 'image/jpeg', data: jpegBytes() };
    const a = await upload([{ name: 'kind', value: 'signature' }, jpg]);
    const b = await upload([{ name: 'kind', value: 'signature' }, jpg]);
    expect(a.statusCode).toBe(201);
    expect(b.json().key).toBe(a.json().key);
  });

  // (A `kind` sent after a small file may already be parsed when the file is read, and is then accepted;
  // after a large one it is not, and the 400 says to send it first.)
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
      { name: 'file', filename: 'x.jpg', contentType: 'image/jpeg', data: pngBytes() },
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
    const res = await upload([{ name: 'kind', value: 'after' }, png(pngBytes(70 * 1024))]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('payload_too_large');
    expect(await t.storage.list('sr-P1')).toEqual([]);
  });

  test('401, 403 (not assigned / wrong role), 404', async () => {
    const parts = [{ name: 'kind', value: 'after' }, png()];
    expect((await upload(parts, null)).statusCode).toBe(401);
    expect((await upload(parts, TOKENS.tech2)).statusCode).toBe(403);
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

  test('503 when storage fails; nothing is signalled', async () => {
    t.storage.put = async () => {
      throw new Error('disk on fire');
    };
    const res = await upload([{ name: 'kind', value: 'after' }, png()]);
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toContain('storage');
    expect(t.port.count('signalPhoto')).toBe(0);
  });
});
