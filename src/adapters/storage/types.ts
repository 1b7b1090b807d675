import type { UploadKind } from '../../domain/types';

/** One stored photo object. */
export interface StoredPhoto {
  /** Storage key, `<requestId>/<kind>/<sha256>.<ext>`; pass it back to `head`. */
  key: string;
  /** A visit photo's kind, or `invoice` (proof of purchase, lifecycle 4): list() returns both. */
  kind: UploadKind;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the content (also the file name: identical re-uploads land on the same key). */
  sha256: string;
  /** image/jpeg, image/png, image/webp, image/heic, image/heif, or application/octet-stream for anything else. */
  contentType: string;
  /** ISO-8601 instant the object was (last) written. */
  storedAt: string;
}

/** An upload's bytes: whole, or as they arrive (a stream, or any async iterable of chunks). */
export type PhotoBody = Buffer | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

/** An upload streamed into storage's staging area, not yet a photo: `commit` files it, `discard` drops it. */
export interface StagedPhoto {
  /** Bytes. */
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  /**
   * Files the bytes as `<requestId>/<kind>/<sha256>.<ext>`. `created` is false when the same bytes were already
   * stored there (nothing new written: an identical re-upload), so undoing this upload must not delete them.
   */
  commit(kind: UploadKind, contentType: string): Promise<StoredPhoto & { created: boolean }>;
  /** Drops the staged bytes. Safe to call again, and after commit (then a no-op). */
  discard(): Promise<void>;
}

/** Photo evidence store (docs/lifecycle.md, Photo evidence). Implementations: LocalStorage (dev, single host) and S3Storage. */
export interface PhotoStorage {
  /** stage + commit: stores the bytes as a photo of `kind`. */
  put(requestId: string, kind: UploadKind, body: PhotoBody, contentType: string): Promise<StoredPhoto>;
  /**
   * Streams an upload into a staging area, hashing and sizing it on the way, never holding it in memory. More
   * than `maxBytes` (default: the storage's own limit) → PhotoTooLargeError; an error from `body` (e.g. a content
   * check that refuses it) is thrown as is. Either way nothing is left behind. list/head see nothing until commit.
   */
  stage(requestId: string, body: PhotoBody, opts?: { maxBytes?: number }): Promise<StagedPhoto>;
  /** Removes a stored photo of this request (an upload the workflow could not be told about); absent is fine. */
  delete(requestId: string, key: string): Promise<void>;
  /** Every photo stored for the request, oldest first; [] when none. */
  list(requestId: string): Promise<StoredPhoto[]>;
  /** The first `bytes` bytes (fewer if the object is shorter), for content checks. PhotoNotFoundError if absent. */
  head(requestId: string, key: string, bytes: number): Promise<Buffer>;
  /**
   * Writes a document about the request (`service-report-1.json`, `….pdf`), replacing one of the same name:
   * writing the same document again is harmless (activities retry). Readers never see half of it.
   */
  putDocument(requestId: string, name: string, body: Buffer): Promise<void>;
  /** A stored document with its content type, or null when there is none of that name. */
  getDocument(requestId: string, name: string): Promise<{ body: Buffer; contentType: string } | null>;
  /** Release sockets / handles (worker shutdown, tests). */
  close?(): Promise<void>;
}

/** `put` for any storage: stage, then commit as `kind`; the staged bytes are dropped either way. */
export async function putByStaging(
  storage: Pick<PhotoStorage, 'stage'>,
  requestId: string,
  kind: UploadKind,
  body: PhotoBody,
  contentType: string,
): Promise<StoredPhoto> {
  const staged = await storage.stage(requestId, body);
  try {
    const { created: _created, ...stored } = await staged.commit(kind, contentType);
    return stored;
  } finally {
    await staged.discard();
  }
}

/** A request id, kind or key that does not match the strict patterns; never touches storage. */
export class InvalidPhotoPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPhotoPathError';
  }
}

export class PhotoNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`photo not found: ${key}`);
    this.name = 'PhotoNotFoundError';
  }
}

export class PhotoTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`photo larger than ${maxBytes} bytes`);
    this.name = 'PhotoTooLargeError';
  }
}
