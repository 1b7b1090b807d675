import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { UploadKind } from '../../domain/types';
import {
  assertHeadBytes,
  assertKeyOf,
  assertKind,
  assertRequestId,
  buildKey,
  DEFAULT_MAX_PHOTO_BYTES,
  documentKey,
  documentType,
  normaliseContentType,
  parseKey,
} from './keys';
import { spoolTo } from './spool';
import { PhotoNotFoundError, putByStaging, type PhotoBody, type PhotoStorage, type StagedPhoto, type StoredPhoto } from './types';

/** PutObject attempts (with a fresh stream each). */
const PUT_ATTEMPTS = 3;

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
  /** Where uploads are spooled before the PutObject (owner-only files, removed after); default the OS temp dir (TMPDIR). */
  spoolDir?: string;
  /** Inject a client (tests, custom middleware); the options above are then ignored except bucket/prefix. */
  client?: S3Client;
}

/**
 * Photos in an S3 bucket, same key layout as LocalStorage (under an optional prefix). Uses only PutObject,
 * ListObjectsV2, DeleteObject and ranged GetObject, so any S3-compatible store works. The API needs
 * s3:PutObject, s3:ListBucket and s3:DeleteObject, and s3:GetObject for the service report page; the worker's photo
 * check s3:ListBucket and s3:GetObject, and s3:PutObject to store the service report.
 */
export class S3Storage implements PhotoStorage {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxBytes: number;
  private readonly spoolDir: string;
  private readonly ownsClient: boolean;

  constructor(opts: S3StorageOptions) {
    this.bucket = opts.bucket;
    this.prefix = normalisePrefix(opts.prefix);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_PHOTO_BYTES;
    this.spoolDir = opts.spoolDir ?? tmpdir();
    this.ownsClient = !opts.client;
    this.client = opts.client ?? new S3Client(clientConfig(opts));
  }

  async put(requestId: string, kind: UploadKind, body: PhotoBody, contentType: string): Promise<StoredPhoto> {
    assertKind(kind);
    return putByStaging(this, requestId, kind, body, contentType);
  }

  /**
   * Spools the upload to a file in `spoolDir`: the key is the content hash, known only after the last byte, and
   * PutObject wants the length up front. Commit then streams the file to S3 in one PutObject (no multipart upload
   * or server-side copy, nothing half-written in the bucket); memory holds a chunk at a time, never the photo.
   */
  async stage(requestId: string, body: PhotoBody, opts: { maxBytes?: number } = {}): Promise<StagedPhoto> {
    assertRequestId(requestId);
    const spool = join(this.spoolDir, `aftercare-photo-${randomUUID()}`);
    const { size, sha256 } = await spoolTo(spool, body, opts.maxBytes ?? this.maxBytes, { durable: false });
    let pending = true;
    const drop = async (): Promise<void> => {
      pending = false;
      await rm(spool, { force: true });
    };
    return {
      size,
      sha256,
      commit: async (kind, contentType) => {
        assertKind(kind);
        if (!pending) throw new Error('this upload was already committed or discarded');
        const type = normaliseContentType(contentType);
        const key = buildKey(requestId, kind, sha256, type.ext);
        try {
          const existing = await this.storedAt(key);
          if (existing) return { key, kind, size, sha256, contentType: type.contentType, storedAt: existing, created: false };
          await this.putFile(spool, key, size, type.contentType, { sha256, kind, 'request-id': requestId });
          return { key, kind, size, sha256, contentType: type.contentType, storedAt: new Date().toISOString(), created: true };
        } finally {
          await drop();
        }
      },
      discard: drop,
    };
  }

  async delete(requestId: string, key: string): Promise<void> {
    assertKeyOf(requestId, key);
    // DeleteObject of an absent key succeeds.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }

  /** LastModified of the object when it exists (ListObjectsV2 on its exact key: the API needs no GetObject). */
  private async storedAt(key: string): Promise<string | undefined> {
    const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + key, MaxKeys: 1 }));
    const hit = page.Contents?.find((o) => o.Key === this.prefix + key);
    return hit ? (hit.LastModified ?? new Date()).toISOString() : undefined;
  }

  /**
   * One PutObject with the file as a stream and its length. The SDK does not retry a streamed body (it cannot
   * rewind it), so this does: a fresh stream per attempt, for 5xx, throttling and network errors.
   */
  private async putFile(path: string, key: string, size: number, contentType: string, metadata: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + key,
            Body: createReadStream(path),
            ContentLength: size,
            ContentType: contentType,
            Metadata: metadata,
          }),
        );
        return;
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const retryable = status === undefined || status >= 500 || status === 429 || status === 408;
        if (!retryable || attempt >= PUT_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 100 * 4 ** (attempt - 1)));
      }
    }
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

  async putDocument(requestId: string, name: string, body: Buffer): Promise<void> {
    // A small body in memory: the SDK retries it itself. PutObject replaces atomically.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + documentKey(requestId, name),
        Body: body,
        ContentType: documentType(name),
      }),
    );
  }

  async getDocument(requestId: string, name: string): Promise<{ body: Buffer; contentType: string } | null> {
    const key = documentKey(requestId, name);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      const data = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      return { body: Buffer.from(data.buffer, data.byteOffset, data.length), contentType: documentType(name) };
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const errName = (e as { name?: string }).name;
      if (errName === 'NoSuchKey' || errName === 'NotFound' || status === 404) return null;
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
