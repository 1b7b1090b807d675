import type { PhotoKind } from '../../domain/types';

/** One stored photo object. */
export interface StoredPhoto {
  /** Storage key, `<requestId>/<kind>/<sha256>.<ext>`; pass it back to `head`. */
  key: string;
  kind: PhotoKind;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the content (also the file name: identical re-uploads land on the same key). */
  sha256: string;
  /** image/jpeg, image/png, image/webp, image/heic, image/heif, or application/octet-stream for anything else. */
  contentType: string;
  /** ISO-8601 instant the object was (last) written. */
  storedAt: string;
}

/** Photo evidence store (docs/lifecycle.md, Photo evidence). Implementations: LocalStorage (dev, single host) and S3Storage. */
export interface PhotoStorage {
  put(requestId: string, kind: PhotoKind, body: Buffer | NodeJS.ReadableStream, contentType: string): Promise<StoredPhoto>;
  /** Every photo stored for the request, oldest first; [] when none. */
  list(requestId: string): Promise<StoredPhoto[]>;
  /** The first `bytes` bytes (fewer if the object is shorter), for content checks. PhotoNotFoundError if absent. */
  head(requestId: string, key: string, bytes: number): Promise<Buffer>;
  /** Release sockets / handles (worker shutdown, tests). */
  close?(): Promise<void>;
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
