/**
 * AES-256-GCM payload codec: every payload (workflow input, activity arguments and results, update
 * arguments, query and workflow results, UI summaries) leaves the process encrypted, so customer names,
 * phone numbers and addresses are never stored in clear in Temporal's histories. Search attributes are not
 * payloads and stay readable (they carry no PII).
 *
 * Format (the one Temporal's encryption samples use, so their codec servers and ours agree):
 *   metadata: { encoding: "binary/encrypted", "encryption-key-id": <key id> }
 *   data:     12-byte IV ‖ ciphertext ‖ 16-byte GCM tag, of the original Payload serialised as protobuf.
 * The key id is bound as additional authenticated data; a changed byte anywhere fails decryption.
 * Payloads that are not encrypted pass through decode unchanged (histories from before the codec was on).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKey } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('utf8') : undefined);

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export class AesGcmCodec implements PayloadCodec {
  private readonly current: CodecKey;
  private readonly byId: Map<string, Buffer>;

  /** `keys[0]` encrypts; all of them decrypt. */
  constructor(keys: readonly CodecKey[]) {
    const first = keys[0];
    if (!first) throw new CodecError('AesGcmCodec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new CodecError(`key ${k.id} is not 32 bytes`);
    this.current = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(this.current.id, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.current.id) },
      data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    };
  }

  decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new CodecError('encrypted payload without a key id');
    const key = this.byId.get(keyId);
    if (!key) throw new CodecError(`no codec key "${keyId}" configured (AFTERCARE_CODEC_KEYS); it may have been rotated out too early`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecError('encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecError(`payload failed authentication with key "${keyId}" (tampered or wrong key)`);
    }
    const p = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: p.metadata ?? {}, data: p.data ?? new Uint8Array() };
  }
}
