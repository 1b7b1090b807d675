import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { UPLOAD_KINDS, type UploadKind } from '../../domain/types';
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
import {
  InvalidPhotoPathError,
  PhotoNotFoundError,
  putByStaging,
  type PhotoBody,
  type PhotoStorage,
  type StagedPhoto,
  type StoredPhoto,
} from './types';

export interface LocalStorageOptions {
  maxBytes?: number;
}

/**
 * Photos on the local disk: `<root>/<requestId>/<kind>/<sha256>.<ext>`. For development and single-host
 * installs; several API hosts need S3. Uploads stream to a temp file beside the photos and are moved into place
 * on commit, so a reader never sees half a photo.
 */
export class LocalStorage implements PhotoStorage {
  readonly root: string;
  private readonly maxBytes: number;

  constructor(rootDir: string, opts: LocalStorageOptions = {}) {
    this.root = resolve(rootDir);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_PHOTO_BYTES;
  }

  async put(requestId: string, kind: UploadKind, body: PhotoBody, contentType: string): Promise<StoredPhoto> {
    assertKind(kind);
    return putByStaging(this, requestId, kind, body, contentType);
  }

  async stage(requestId: string, body: PhotoBody, opts: { maxBytes?: number } = {}): Promise<StagedPhoto> {
    assertRequestId(requestId);
    const requestDir = this.inside(requestId);
    await mkdir(requestDir, { recursive: true });
    // Dot-prefixed temp names never match the key pattern, so list() ignores leftovers of a crash. Same file
    // system as the photos: commit is a link/rename, and the bytes are on disk (evidence survives a power cut).
    const tmp = join(requestDir, `.upload-${randomUUID()}`);
    const { size, sha256 } = await spoolTo(tmp, body, opts.maxBytes ?? this.maxBytes, { durable: true });
    let pending = true;
    return {
      size,
      sha256,
      commit: async (kind, contentType) => {
        assertKind(kind);
        if (!pending) throw new Error('this upload was already committed or discarded');
        const type = normaliseContentType(contentType);
        const key = buildKey(requestId, kind, sha256, type.ext);
        const target = this.inside(key);
        await mkdir(dirname(target), { recursive: true });
        const created = await placeUnlessPresent(tmp, target);
        pending = false;
        const st = await stat(target);
        return { key, kind, size, sha256, contentType: type.contentType, storedAt: st.mtime.toISOString(), created };
      },
      discard: async () => {
        pending = false;
        await rm(tmp, { force: true });
      },
    };
  }

  async delete(requestId: string, key: string): Promise<void> {
    assertKeyOf(requestId, key);
    await rm(this.inside(key), { force: true });
  }

  async list(requestId: string): Promise<StoredPhoto[]> {
    assertRequestId(requestId);
    const out: StoredPhoto[] = [];
    for (const kind of UPLOAD_KINDS) {
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

  async putDocument(requestId: string, name: string, body: Buffer): Promise<void> {
    const target = this.inside(documentKey(requestId, name));
    await mkdir(dirname(target), { recursive: true });
    // Written beside, then renamed over: a reader sees the old document or the new one, never a part.
    const tmp = `${target}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, body, { mode: 0o640 });
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async getDocument(requestId: string, name: string): Promise<{ body: Buffer; contentType: string } | null> {
    try {
      return { body: await readFile(this.inside(documentKey(requestId, name))), contentType: documentType(name) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
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

/**
 * Moves `tmp` to `target` unless `target` exists (then `tmp` is dropped): a hard link fails atomically on an existing
 * name, so two identical uploads at once cannot both count as having created it. Where links are not supported,
 * a check and a rename.
 */
async function placeUnlessPresent(tmp: string, target: string): Promise<boolean> {
  try {
    await link(tmp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await rm(tmp, { force: true });
      return false;
    }
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(code ?? '')) throw e;
    try {
      await stat(target);
      await rm(tmp, { force: true });
      return false;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await rename(tmp, target);
    return true;
  }
  await rm(tmp, { force: true });
  return true;
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
