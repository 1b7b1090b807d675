/**
 * Codec keys from configuration: `AFTERCARE_CODEC_KEYS=k2:<base64 32 bytes>,k1:<base64 32 bytes>`.
 * The first key encrypts; every listed key decrypts, so a rotation is: put the new key first, keep the old
 * ones until no history still needs them (retention), then drop them.
 * Generate a key: `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`.
 */
export interface CodecKey {
  /** Stored in each encrypted payload's metadata, so decryption finds the key that was used. */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

export class CodecKeyError extends Error {
  constructor(readonly problems: string[]) {
    super(`AFTERCARE_CODEC_KEYS: ${problems.join('; ')}`);
    this.name = 'CodecKeyError';
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Parses the list; empty / blank text means "no codec" (an empty array). Never echoes key material. */
export function parseCodecKeys(text: string | undefined): CodecKey[] {
  if (text === undefined || text.trim() === '') return [];
  const problems: string[] = [];
  const keys: CodecKey[] = [];
  const seen = new Set<string>();
  text.split(',').forEach((raw, i) => {
    const item = raw.trim();
    const at = `entry ${i + 1}`;
    const colon = item.indexOf(':');
    if (colon <= 0) {
      problems.push(`${at}: expected <keyId>:<base64 key>`);
      return;
    }
    const id = item.slice(0, colon).trim();
    const b64 = item.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) problems.push(`${at}: key id must be 1-64 of A-Z a-z 0-9 . _ -`);
    else if (seen.has(id)) problems.push(`${at}: duplicate key id ${id}`);
    const key = BASE64.test(b64) ? Buffer.from(b64, 'base64') : Buffer.alloc(0); // accepts the URL-safe alphabet too
    if (key.length !== 32) problems.push(`${at} (${KEY_ID.test(id) ? id : '?'}): key must be 32 bytes in base64 (got ${key.length})`);
    if (KEY_ID.test(id) && !seen.has(id) && key.length === 32) keys.push({ id, key });
    seen.add(id);
  });
  if (problems.length) throw new CodecKeyError(problems);
  return keys;
}
