import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { PhotoKind } from '../../domain/types';
import {
  assertHeadBytes,
  assertKeyOf,
  assertKind,
  assertRequestId,
  buildKey,
  chunksOf,
  DEFAULT_MAX_PHOTO_BYTES,
  normaliseContentType,
  parseKey,
} from './keys';
import { PhotoNotFoundError, PhotoTooLargeError, type PhotoStorage, type StoredPhoto } from './types';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** S3-compatible endpoint (MinIO, OSS, COS …); omit for AWS. */
  endpoint?: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key`; most S3-compatible stores want this. */
  forcePathStyle?: boolean;
  /** Omit to use the SDK's default chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Key prefix inside a shared bucket, e.g. "aftercare/photos/". */
  prefix?: string;
  maxBytes?: number;
  /** Inject a client (tests, custom middleware); the options above are then ignored except bucket/prefix. */
  client?: S3Client;
}

/**
 * Photos in an S3 bucket, same key layout as LocalStorage (under an optional prefix). Uses only PutObject,
 * ListObjectsV2 and ranged GetObject, so any S3-compatible store works.
 */
export class S3Storage implements PhotoStorage {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxBytes: number;
  private readonly ownsClient: boolean;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.prefix = normalisePrefix(opts.prefix);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_PHOTO_BYTES;
    this.ownsClient = !opts.client;
    this.client = opts.client ?? new S3Client(clientConfig(opts));
  }

  async put(requestId: string, kind: PhotoKind, body: Buffer | NodeJS.ReadableStream, contentType: string): Promise<StoredPhoto> {
    assertRequestId(requestId);
    assertKind(kind);
    const type = normaliseContentType(contentType);
    // Buffered on purpose: the key is the content hash, which is known only after the last byte, and
    // PutObject needs a length up front. maxBytes bounds the memory this takes.
    const data = await collect(body, this.maxBytes);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const key = buildKey(requestId, kind, sha256, type.ext);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: data,
        ContentLength: data.length,
        ContentType: type.contentType,
        Metadata: { sha256, kind, 'request-id': requestId },
      }),
    );
    return { key, kind, size: data.length, sha256, contentType: type.contentType, storedAt: new Date().toISOString() };
  }

  async list(requestId: string): Promise<StoredPhoto[]> {
    assertRequestId(requestId);
    const out: StoredPhoto[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${requestId}/`, ContinuationToken: token }),
      );
      for (const obj of page.Contents ?? []) {
        if (!obj.Key?.startsWith(this.prefix)) continue;
        const key = obj.Key.slice(this.prefix.length);
        const parsed = parseKey(key);
        if (!parsed || parsed.requestId !== requestId) continue;
        out.push({
          key,
          kind: parsed.kind,
          size: obj.Size ?? 0,
          sha256: parsed.sha256,
          contentType: parsed.contentType,
          storedAt: (obj.LastModified ?? new Date(0)).toISOString(),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.storedAt < b.storedAt ? -1 : a.storedAt > b.storedAt ? 1 : a.key < b.key ? -1 : 1));
  }

  async head(requestId: string, key: string, bytes: number): Promise<Buffer> {
    assertKeyOf(requestId, key);
    assertHeadBytes(bytes);
    if (bytes === 0) return Buffer.alloc(0);
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Range: `bytes=0-${bytes - 1}` }),
      );
      const data = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      // A store that ignores Range sends everything; the contract is "at most `bytes`".
      return Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, bytes));
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) throw new PhotoNotFoundError(key);
      // S3 answers a range on a zero-byte object with 416: the object exists and is empty.
      if (name === 'InvalidRange' || status === 416) return Buffer.alloc(0);
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}

function clientConfig(opts: S3StorageOptions): S3ClientConfig {
  return {
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
    // S3-compatible stores often reject the SDK's default CRC checksums (aws-chunked trailers); send them
    // only where an operation requires one. AWS itself keeps the SDK defaults.
    ...(opts.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  };
}

function normalisePrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

async function collect(body: Buffer | NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length > maxBytes) throw new PhotoTooLargeError(maxBytes);
    return body;
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunksOf(body)) {
    size += chunk.length;
    if (size > maxBytes) {
      // Stop reading; the caller (the HTTP route) owns the stream and discards the rest.
      throw new PhotoTooLargeError(maxBytes);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}
