import { LocalStorage } from './local';
import { S3Storage } from './s3';
import type { PhotoStorage } from './types';

export * from './types';
export { LocalStorage, type LocalStorageOptions } from './local';
export { S3Storage, type S3StorageOptions } from './s3';
export { verifyPhotos, type PhotoVerification } from './verify';
export { DEFAULT_MAX_PHOTO_BYTES, MAX_HEAD_BYTES } from './keys';

/** Structurally the same as Config['storage'], so `createStorage(config.storage)` just works. */
export interface StorageConfig {
  kind: 'local' | 's3';
  /** Root directory for `local`. */
  dir: string;
  s3?: {
    bucket: string;
    region: string;
    endpoint?: string;
    forcePathStyle?: boolean;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    prefix?: string;
  };
  maxBytes?: number;
}

export function createStorage(cfg: StorageConfig): PhotoStorage {
  if (cfg.kind === 's3') {
    if (!cfg.s3?.bucket) throw new Error('storage kind "s3" needs s3.bucket');
    return new S3Storage({ ...cfg.s3, maxBytes: cfg.maxBytes });
  }
  return new LocalStorage(cfg.dir, { maxBytes: cfg.maxBytes });
}
