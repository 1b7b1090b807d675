/**
 * An upload written to a file as it arrives, hashed and counted on the way: the staging step of both backends
 * (LocalStorage stages beside the photos and renames; S3Storage stages in the OS temp dir, then PUTs the file
 * with its length). Only one chunk at a time is in memory; the source is read no faster than the disk takes it.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { chunksOf } from './keys';
import { PhotoTooLargeError, type PhotoBody } from './types';

export interface Spooled {
  size: number;
  sha256: string;
}

/**
 * Writes `body` to `path` (created exclusively, owner-only). More than `maxBytes` → PhotoTooLargeError; that or any
 * error of the body or the disk removes the file before it is thrown. `durable`: on disk (fdatasync) before resolving.
 */
export async function spoolTo(path: string, body: PhotoBody, maxBytes: number, opts: { durable: boolean }): Promise<Spooled> {
  const hash = createHash('sha256');
  let size = 0;
  const fh = await open(path, 'wx', 0o600);
  try {
    for await (const chunk of chunksOf(body)) {
      size += chunk.length;
      if (size > maxBytes) throw new PhotoTooLargeError(maxBytes);
      hash.update(chunk);
      await fh.write(chunk);
    }
    if (opts.durable) await fh.datasync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(path, { force: true });
    throw e;
  }
  await fh.close();
  return { size, sha256: hash.digest('hex') };
}
