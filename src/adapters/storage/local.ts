import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { PHOTO_KINDS, type PhotoKind } from '../../domain/types';
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
import { InvalidPhotoPathError, PhotoNotFoundError, PhotoTooLargeError, type PhotoStorage, type StoredPhoto } from './types';

export interface LocalStorageOptions {
  maxBytes?: number;
}

/**
 * Photos on the local disk: `<root>/<requestId>/<kind>/<sha256>.<ext>`. For development and single-host
 * installs; several API hosts need S3. Writes go to a temp file and are renamed into place, so a reader
 * never sees half a photo.
 */
export class LocalStorage implements PhotoStorage {
  readonly root: string;
  private readonly maxBytes: number;

  constructor(rootDir: string, opts: LocalStorageOptions = {}) {
    this.root = resolve(rootDir);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_PHOTO_BYTES;
  }

  async put(requestId: string, kind: PhotoKind, body: Buffer | NodeJS.ReadableStream, contentType: string): Promise<StoredPhoto> {
    assertRequestId(requestId);
    assertKind(kind);
    const type = normaliseContentType(contentType);
    const requestDir = this.inside(requestId);
    await mkdir(join(requestDir, kind), { recursive: true });

    // Dot-prefixed temp names never match the key pattern, so list() ignores leftovers of a crash.
    const tmp = join(requestDir, `.upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'wx');
    try {
      for await (const chunk of chunksOf(body)) {
        size += chunk.length;
        if (size > this.maxBytes) throw new PhotoTooLargeError(this.maxBytes);
        hash.update(chunk);
        await fh.write(chunk);
      }
      // Evidence: once put() resolves, the bytes must survive a power cut.
      await fh.datasync();
    } catch (e) {
      await fh.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();

    const sha256 = hash.digest('hex');
    const key = buildKey(requestId, kind, sha256, type.ext);
    const target = this.inside(key);
    await rename(tmp, target);
    const st = await stat(target);
    return { key, kind, size, sha256, contentType: type.contentType, storedAt: st.mtime.toISOString() };
  }

  async list(requestId: string): Promise<StoredPhoto[]> {
    assertRequestId(requestId);
    const out: StoredPhoto[] = [];
    for (const kind of PHOTO_KINDS) {
      let names: string[];
      try {
        names = await readdir(this.inside(`${requestId}/${kind}`));
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      for (const name of names) {
        const key = `${requestId}/${kind}/${name}`;
        const parsed = parseKey(key);
        if (!parsed) continue;
        try {
          const st = await stat(this.inside(key));
          if (!st.isFile()) continue;
          out.push({ key, kind, size: st.size, sha256: parsed.sha256, contentType: parsed.contentType, storedAt: st.mtime.toISOString() });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
    return out.sort((a, b) => (a.storedAt < b.storedAt ? -1 : a.storedAt > b.storedAt ? 1 : a.key < b.key ? -1 : 1));
  }

  async head(requestId: string, key: string, bytes: number): Promise<Buffer> {
    assertKeyOf(requestId, key);
    assertHeadBytes(bytes);
    let fh;
    try {
      fh = await open(this.inside(key), 'r');
    } catch (e) {
      if (isNotFound(e)) throw new PhotoNotFoundError(key);
      throw e;
    }
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {}

  /** Absolute path of a validated relative path; the prefix check is a second fence behind the patterns. */
  private inside(rel: string): string {
    const abs = resolve(this.root, rel);
    if (!abs.startsWith(this.root + sep)) throw new InvalidPhotoPathError(`path escapes the photo root: ${rel}`);
    return abs;
  }
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
