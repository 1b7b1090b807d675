/**
 * "Is this a real image?" from the first bytes of a file (the photo check verifies storage, not the
 * upload announcement). Pure and workflow-safe. Magic bytes plus the first structure each format must have,
 * so a text file renamed .jpg, an empty upload or a cut-off header all fail.
 */
export type ImageType = 'jpeg' | 'png' | 'webp' | 'heic';

/** Enough leading bytes for every check below (PNG's signature + IHDR is the longest, 33 bytes). */
export const IMAGE_SNIFF_BYTES = 64;

export type ImageCheck = { ok: true; type: ImageType } | { ok: false; reason: string };

const JPEG_SOI = [0xff, 0xd8, 0xff];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** ISO-BMFF major brands of HEIF/HEIC stills and sequences (iPhone photos are `heic`; some tools write `mif1`). */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

export function detectImageType(bytes: Uint8Array): ImageType | null {
  const r = checkImage(bytes);
  return r.ok ? r.type : null;
}

export function checkImage(bytes: Uint8Array): ImageCheck {
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  if (opensWith(bytes, JPEG_SOI)) {
    // SOI, then the first marker (APPn, DQT, SOF …): markers are 0xC0–0xFE.
    const marker = bytes[3];
    if (marker === undefined) return { ok: false, reason: 'truncated JPEG header' };
    return marker >= 0xc0 && marker <= 0xfe ? { ok: true, type: 'jpeg' } : { ok: false, reason: 'corrupt JPEG header' };
  }
  if (opensWith(bytes, PNG_SIGNATURE)) {
    // The first chunk must be IHDR: length 13, type "IHDR", then width and height > 0.
    if (bytes.length < 33) return { ok: false, reason: 'truncated PNG header' };
    if (u32(bytes, 8) !== 13 || ascii(bytes, 12, 4) !== 'IHDR') return { ok: false, reason: 'PNG without IHDR chunk' };
    if (u32(bytes, 16) === 0 || u32(bytes, 20) === 0) return { ok: false, reason: 'PNG with zero width or height' };
    return { ok: true, type: 'png' };
  }
  if (ascii(bytes, 0, 4) === 'RIFF') {
    if (bytes.length < 16) return { ok: false, reason: 'truncated RIFF header' };
    if (ascii(bytes, 8, 4) !== 'WEBP') return { ok: false, reason: 'RIFF file that is not WebP' };
    const chunk = ascii(bytes, 12, 4);
    return chunk === 'VP8 ' || chunk === 'VP8L' || chunk === 'VP8X'
      ? { ok: true, type: 'webp' }
      : { ok: false, reason: 'WebP without an image chunk' };
  }
  if (bytes.length >= 8 && ascii(bytes, 4, 4) === 'ftyp') {
    if (bytes.length < 16) return { ok: false, reason: 'truncated ftyp box' };
    const boxSize = u32(bytes, 0);
    if (boxSize < 16) return { ok: false, reason: 'corrupt ftyp box' };
    const brand = ascii(bytes, 8, 4);
    return HEIF_BRANDS.has(brand) ? { ok: true, type: 'heic' } : { ok: false, reason: `unsupported ftyp brand "${brand.trim()}"` };
  }
  return { ok: false, reason: looksLikeText(bytes) ? 'text, not an image' : 'no known image signature' };
}

/** The file starts with `sig`, or with a leading part of it when the file is shorter (→ "truncated"). */
function opensWith(bytes: Uint8Array, sig: readonly number[]): boolean {
  const n = Math.min(bytes.length, sig.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== sig[i]) return false;
  return n > 0;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) * 0x1000000 + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

function ascii(bytes: Uint8Array, at: number, len: number): string {
  let s = '';
  for (let i = at; i < at + len && i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** Only for a friendlier reason: printable ASCII / UTF-8 lead bytes, no NULs. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, IMAGE_SNIFF_BYTES);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  }
  return true;
}
