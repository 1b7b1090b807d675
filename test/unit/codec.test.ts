/** The PII codec: round trip, key rotation, tamper detection, key parsing. */
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter } from '@temporalio/common';
import {
  AesGcmCodec,
  CodecError,
  CodecKeyError,
  codecFromEnv,
  ENCRYPTED_ENCODING,
  fromJsonPayload,
  parseCodecKeys,
  toJsonPayload,
} from '../../src/codec';

const converter = new DefaultPayloadConverter();
const key = () => randomBytes(32);
const input = { customer: { name: '陈静', phone: '+8613812345678', address: '上海市徐汇区漕溪北路 88 号' }, urgency: 'urgent' };
const text = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

describe('AesGcmCodec', () => {
  const k1 = { id: 'k1', key: key() };
  const k2 = { id: 'k2', key: key() };

  test('round trip: the encrypted payload hides the PII, decoding restores it byte for byte', async () => {
    const codec = new AesGcmCodec([k1]);
    const plain = converter.toPayload(input);
    const [enc] = await codec.encode([plain]);
    expect(text(enc!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(enc!.metadata!['encryption-key-id'])).toBe('k1');
    const raw = Buffer.from(enc!.data!);
    for (const needle of ['8613812345678', '陈静', '漕溪北路', 'json/plain']) expect(raw.includes(Buffer.from(needle))).toBe(false);
    const [dec] = await codec.decode([enc!]);
    expect(converter.fromPayload(dec!)).toEqual(input);
    expect(text(dec!.metadata!.encoding)).toBe('json/plain');
  });

  test('every encryption uses a fresh IV', async () => {
    const codec = new AesGcmCodec([k1]);
    const p = converter.toPayload(input);
    const [a, b] = await codec.encode([p, p]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('rotation: the new key encrypts, the old one still decrypts old payloads', async () => {
    const before = new AesGcmCodec([k1]);
    const [old] = await before.encode([converter.toPayload(input)]);
    const after = new AesGcmCodec([k2, k1]);
    expect(after.currentKeyId).toBe('k2');
    const [fresh] = await after.encode([converter.toPayload(input)]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
    const [a, b] = await after.decode([old!, fresh!]);
    expect(converter.fromPayload(a!)).toEqual(input);
    expect(converter.fromPayload(b!)).toEqual(input);
    // Dropping k1 too early makes old payloads unreadable, with a message that says why.
    await expect(new AesGcmCodec([k2]).decode([old!])).rejects.toThrow(/no codec key "k1"/);
  });

  test('tampering is detected: ciphertext, tag, IV or the key id in the metadata', async () => {
    const codec = new AesGcmCodec([k1, { id: 'k0', key: k1.key }]);
    const [enc] = await codec.encode([converter.toPayload(input)]);
    const flip = (i: number) => {
      const data = Buffer.from(enc!.data!);
      data[i] = data[i]! ^ 0x01;
      return { ...enc!, data: new Uint8Array(data) };
    };
    const n = enc!.data!.length;
    for (const i of [0, 12, Math.floor(n / 2), n - 1]) await expect(codec.decode([flip(i)])).rejects.toThrow(CodecError);
    // Same key material under another id: the id is authenticated data, so relabelling fails too.
    const relabelled = { ...enc!, metadata: { ...enc!.metadata, 'encryption-key-id': new Uint8Array(Buffer.from('k0')) } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/tampered or wrong key/);
    await expect(codec.decode([{ ...enc!, data: new Uint8Array(8) }])).rejects.toThrow(/truncated/);
  });

  test('payloads that were never encrypted pass through decode (histories from before the codec)', async () => {
    const plain = converter.toPayload('hello');
    const [out] = await new AesGcmCodec([k1]).decode([plain]);
    expect(out).toBe(plain);
  });

  test('remote-codec JSON round trip', async () => {
    const codec = new AesGcmCodec([k1]);
    const [enc] = await codec.encode([converter.toPayload(input)]);
    const json = JSON.parse(JSON.stringify(toJsonPayload(enc!)));
    expect(typeof json.data).toBe('string');
    const [dec] = await codec.decode([fromJsonPayload(json, 0)]);
    expect(converter.fromPayload(dec!)).toEqual(input);
  });
});

describe('codec keys', () => {
  const b64 = key().toString('base64');
  const b64b = key().toString('base64');

  test('first is current, all decrypt; blank means off', () => {
    const keys = parseCodecKeys(` k2:${b64} , k1:${b64b}`);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]!.key.toString('base64')).toBe(b64);
    expect(parseCodecKeys('')).toEqual([]);
    expect(parseCodecKeys(undefined)).toEqual([]);
    expect(codecFromEnv({})).toBeUndefined();
    expect(codecFromEnv({ AFTERCARE_CODEC_KEYS: `k2:${b64}` })?.currentKeyId).toBe('k2');
  });

  test('bad entries are refused, one problem each, without echoing key material', () => {
    let err: CodecKeyError | undefined;
    try {
      parseCodecKeys(`k1:${b64},k1:${b64b},nokey,bad id:${b64},k3:c2hvcnQ=`);
    } catch (e) {
      err = e as CodecKeyError;
    }
    expect(err).toBeInstanceOf(CodecKeyError);
    expect(err!.problems).toHaveLength(4);
    expect(err!.message).toMatch(/duplicate key id k1/);
    expect(err!.message).toMatch(/32 bytes.*got 5/);
    expect(err!.message).not.toContain(b64);
    expect(err!.message).not.toContain(b64b);
  });
});
