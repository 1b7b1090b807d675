/**
 * The photo check (docs/lifecycle.md, Photo evidence): which required kinds are in storage as real images — judged by the stored
 * bytes, not by upload announcements or declared content types. Ready for activities/photos.ts.
 */
import { checkImage, IMAGE_SNIFF_BYTES } from '../../domain/imageCheck';
import type { PhotoKind } from '../../domain/types';
import { PhotoNotFoundError, type PhotoStorage } from './types';

export interface PhotoVerification {
  /** Every required kind is present. */
  ok: boolean;
  /** Required kinds with at least one real image stored. */
  present: PhotoKind[];
  /**
   * Required kinds without a real image. `present` and `missing` partition the required kinds, so a kind
   * whose uploads are all broken is listed here too (and explained in `invalid`).
   */
  missing: PhotoKind[];
  /** Why a kind that does have uploads still counts as missing. */
  invalid: { kind: PhotoKind; reason: string }[];
}

export async function verifyPhotos(storage: PhotoStorage, requestId: string, required: readonly PhotoKind[]): Promise<PhotoVerification> {
  const wanted = [...new Set(required)];
  const stored = await storage.list(requestId);
  const present: PhotoKind[] = [];
  const missing: PhotoKind[] = [];
  const invalid: PhotoVerification['invalid'] = [];

  for (const kind of wanted) {
    // Newest first: the latest upload is the likeliest good one, and one good image settles the kind.
    const objects = stored.filter((p) => p.kind === kind).reverse();
    const reasons: string[] = [];
    let good = false;
    for (const obj of objects) {
      let head: Buffer;
      try {
        head = await storage.head(requestId, obj.key, IMAGE_SNIFF_BYTES);
      } catch (e) {
        if (e instanceof PhotoNotFoundError) continue; // deleted since list(): as if never uploaded
        throw e; // storage trouble is for the activity's retry policy, not a verdict on the photo
      }
      const check = checkImage(head);
      if (check.ok) {
        good = true;
        break;
      }
      if (!reasons.includes(check.reason)) reasons.push(check.reason);
    }
    if (good) present.push(kind);
    else {
      missing.push(kind);
      if (reasons.length) {
        const n = objects.length;
        invalid.push({ kind, reason: `${n === 1 ? 'the upload is' : `${n} uploads are`} not a real image (${reasons.join('; ')})` });
      }
    }
  }
  return { ok: missing.length === 0, present, missing, invalid };
}
