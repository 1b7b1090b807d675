/**
 * Key layout and the strict patterns that keep request ids, kinds and keys from escaping their folder
 * (no "/", no "..", nothing hidden). Shared by every backend so local and S3 keys look the same.
 */
import { UPLOAD_KINDS, type UploadKind } from '../../domain/types';
import { InvalidPhotoPathError } from './types';

/**
 * Starts alphanumeric, so "." and ".." are impossible; no "/" or "\\". Covers every workflow id
 * (`sr-` + EXTERNAL_ID_PATTERN, which allows ":").
 */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const FILE_NAME = /^([a-f0-9]{64})\.(jpg|png|webp|heic|heif|bin)$/;

/** Upload size guard (both backends). Phone photos are 2–8 MB; a signed report scan a little more. */
export const DEFAULT_MAX_PHOTO_BYTES = 25 * 1024 * 1024;
/** Largest `head` read: it is for sniffing, not downloading. */
export const MAX_HEAD_BYTES = 1024 * 1024;

const EXT_BY_TYPE: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heic-sequence': 'heic',
  'image/heif': 'heif',
  'image/heif-sequence': 'heif',
};
const TYPE_BY_EXT: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  bin: 'application/octet-stream',
};

export function assertRequestId(requestId: string): void {
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
    throw new InvalidPhotoPathError(`invalid request id ${JSON.stringify(requestId)}`);
  }
}

export function assertKind(kind: string): asserts kind is UploadKind {
  if (!(UPLOAD_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidPhotoPathError(`invalid photo kind ${JSON.stringify(kind)}: expected ${UPLOAD_KINDS.join(', ')}`);
  }
}

export function assertHeadBytes(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_HEAD_BYTES) {
    throw new RangeError(`head bytes must be an integer from 0 to ${MAX_HEAD_BYTES}`);
  }
}

/**
 * The stored content type: the declared type without parameters, mapped to the few we keep. Anything else
 * becomes application/octet-stream — the verifier judges content by its bytes, never by this label.
 */
export function normaliseContentType(contentType: string): { contentType: string; ext: string } {
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const ext = EXT_BY_TYPE[base] ?? 'bin';
  return { ext, contentType: TYPE_BY_EXT[ext] as string };
}

export function buildKey(requestId: string, kind: UploadKind, sha256: string, ext: string): string {
  return `${requestId}/${kind}/${sha256}.${ext}`;
}

export interface ParsedKey {
  requestId: string;
  kind: UploadKind;
  sha256: string;
  contentType: string;
}

/** Parses a key of our layout; undefined for anything else (foreign objects, temp files). */
export function parseKey(key: string): ParsedKey | undefined {
  const parts = key.split('/');
  if (parts.length !== 3) return undefined;
  const [requestId, kind, name] = parts as [string, string, string];
  if (!REQUEST_ID.test(requestId) || !(UPLOAD_KINDS as readonly string[]).includes(kind)) return undefined;
  const m = FILE_NAME.exec(name);
  if (!m) return undefined;
  return { requestId, kind: kind as UploadKind, sha256: m[1] as string, contentType: TYPE_BY_EXT[m[2] as string] as string };
}

/** A key belonging to this request, in our layout; throws otherwise (no reading other requests' photos). */
export function assertKeyOf(requestId: string, key: string): ParsedKey {
  assertRequestId(requestId);
  const parsed = typeof key === 'string' ? parseKey(key) : undefined;
  if (!parsed || parsed.requestId !== requestId) {
    throw new InvalidPhotoPathError(`invalid photo key ${JSON.stringify(key)} for request ${requestId}`);
  }
  return parsed;
}

/**
 * Documents the system writes about a request (the service report's JSON and PDF) live beside its photos, under
 * `<requestId>/documents/`, a folder no photo kind can name, so `list` never mistakes one for a photo.
 */
const DOCUMENT_NAME = /^[a-z0-9][a-z0-9-]{0,63}\.(json|pdf)$/;
export const DOCUMENT_TYPES: Record<string, string> = { json: 'application/json', pdf: 'application/pdf' };

export function documentKey(requestId: string, name: string): string {
  assertRequestId(requestId);
  if (typeof name !== 'string' || !DOCUMENT_NAME.test(name))
    throw new InvalidPhotoPathError(`invalid document name ${JSON.stringify(name)}`);
  return `${requestId}/documents/${name}`;
}

export function documentType(name: string): string {
  return DOCUMENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/** Body as Buffer chunks, whichever form it came in. */
export async function* chunksOf(body: Buffer | NodeJS.ReadableStream | AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    yield body;
    return;
  }
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string'
      ? Buffer.from(chunk)
      : Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  }
}
