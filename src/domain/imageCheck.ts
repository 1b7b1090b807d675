/**
 * "Is this a real image?" — `checkImage` from the first bytes of a file (the photo check verifies storage, not
 * the upload announcement): magic bytes plus the first structure each format must have, so a text file renamed
 * .jpg, an empty upload or a cut-off header all fail. `ImageFileCheck` / `checkImageFile` judge a whole upload:
 * the same first bytes, then the format's structure up to its last byte. Pure and workflow-safe.
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

// ---- the whole file (uploads) ------------------------------------------------------------------------------

/**
 * What a format parser asks of the bytes: `read` exactly n (a truncated file fails), `skip` n (each slice passed
 * to `each`), `find` the next `byte` (consumed with it), `peek` up to n without
 * consuming (fewer only at the end), `atEnd` whether the file has ended here, `rest` consume everything left (returns how much that was).
 */
type Need =
  | { op: 'read'; n: number }
  | { op: 'skip'; n: number; each?: (slice: Uint8Array) => void }
  | { op: 'find'; byte: number }
  | { op: 'peek'; n: number }
  | { op: 'atEnd' }
  | { op: 'rest'; n?: number };
type Parser = Generator<Need, ImageCheck, unknown>;

function* read(n: number): Generator<Need, Uint8Array, unknown> {
  return (yield { op: 'read', n }) as Uint8Array;
}
function* skip(n: number, each?: (slice: Uint8Array) => void): Generator<Need, void, unknown> {
  if (n > 0) yield { op: 'skip', n, ...(each ? { each } : {}) };
}
function* find(byte: number): Generator<Need, void, unknown> {
  yield { op: 'find', byte };
}
function* atEnd(): Generator<Need, boolean, unknown> {
  return (yield { op: 'atEnd' }) as boolean;
}

const fail = (reason: string): ImageCheck => ({ ok: false, reason });
const LABEL: Record<ImageType, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', heic: 'HEIC' };
/** Why a file that ended too early is refused. */
const TRUNCATED: Record<ImageType, string> = {
  jpeg: 'truncated JPEG (ends before its end-of-image marker)',
  png: 'truncated PNG (ends before its IEND chunk)',
  webp: 'truncated WebP (shorter than its RIFF size)',
  heic: 'truncated HEIC (ends inside a box)',
};

/**
 * JPEG: SOI, marker segments, entropy-coded scans (stuffed FF 00 and restart markers skipped), EOI — at least one
 * frame header and one scan. After EOI only further complete JPEG images may follow (Multi-Picture Format: the
 * previews phones append); anything else after EOI is refused.
 */
function* jpegParser(): Parser {
  for (;;) {
    yield* read(2); // SOI, checked by checkImage
    let frame = false;
    let scan = false;
    let marker = -1; // a marker already read (the one that ended a scan)
    for (;;) {
      if (marker < 0) {
        const lead = (yield* read(1))[0];
        if (lead !== 0xff) return fail('corrupt JPEG (a segment does not start with a marker)');
        marker = (yield* read(1))[0] as number;
      }
      while (marker === 0xff) marker = (yield* read(1))[0] as number; // fill bytes
      const m = marker;
      marker = -1;
      if (m === 0xd9) break; // EOI
      if (m === 0x00 || m === 0xd8) return fail('corrupt JPEG (unexpected marker)');
      if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) continue; // RSTn, TEM: no length
      const len = yield* read(2);
      const length = ((len[0] as number) << 8) | (len[1] as number);
      if (length < 2) return fail('corrupt JPEG (segment length below 2)');
      yield* skip(length - 2);
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) frame = true;
      if (m !== 0xda) continue;
      if (!frame) return fail('corrupt JPEG (scan before the frame header)');
      scan = true;
      // Entropy-coded data up to the next marker that is not a stuffed FF 00 or a restart marker.
      for (;;) {
        yield* find(0xff);
        let b = (yield* read(1))[0] as number;
        while (b === 0xff) b = (yield* read(1))[0] as number;
        if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) continue;
        marker = b;
        break;
      }
    }
    if (!frame || !scan) return fail('JPEG without image data (no frame or scan before the end-of-image marker)');
    if (yield* atEnd()) return { ok: true, type: 'jpeg' };
    const next = (yield { op: 'peek', n: 4 }) as Uint8Array;
    if (!(next[0] === 0xff && next[1] === 0xd8 && next[2] === 0xff && (next[3] ?? 0) >= 0xc0 && (next[3] ?? 0) <= 0xfe)) {
      return fail('data after the JPEG end-of-image marker');
    }
  }
}

const CRC_TABLE: number[] = [];
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE.push(c >>> 0);
}

/** PNG: signature, chunks (length, type, data, CRC-32 checked) from IHDR to IEND with at least one IDAT; nothing after IEND. */
function* pngParser(): Parser {
  yield* read(8);
  let idat = false;
  for (;;) {
    const head = yield* read(8);
    const length = u32(head, 0);
    const type = ascii(head, 4, 4);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) return fail('corrupt PNG (not a chunk where one must start)');
    let crc = 0xffffffff;
    const update = (slice: Uint8Array): void => {
      for (let i = 0; i < slice.length; i++) crc = (CRC_TABLE[(crc ^ (slice[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    };
    update(head.subarray(4, 8));
    yield* skip(length, update);
    const stored = u32(yield* read(4), 0);
    if ((crc ^ 0xffffffff) >>> 0 !== stored) return fail(`corrupt PNG (bad CRC in chunk ${type})`);
    if (type === 'IDAT') idat = true;
    if (type !== 'IEND') continue;
    if (!idat) return fail('PNG without image data (no IDAT chunk)');
    return (yield* atEnd()) ? { ok: true, type: 'png' } : fail('data after the PNG IEND chunk');
  }
}

/** WebP: a RIFF container exactly as long as its size field, its chunks (padded to even) tiling it, with image data. */
function* webpParser(): Parser {
  const head = yield* read(12);
  const riffSize = ((head[4] as number) | ((head[5] as number) << 8) | ((head[6] as number) << 16)) + (head[7] as number) * 0x1000000;
  let left = riffSize - 4;
  if (left < 8) return fail('corrupt WebP (RIFF size too small)');
  let image = false;
  while (left > 0) {
    if (left < 8) return fail('corrupt WebP (a chunk runs past the RIFF size)');
    const c = yield* read(8);
    const fourcc = ascii(c, 0, 4);
    const size = ((c[4] as number) | ((c[5] as number) << 8) | ((c[6] as number) << 16)) + (c[7] as number) * 0x1000000;
    const padded = size + (size % 2);
    left -= 8;
    if (padded > left) return fail(`corrupt WebP (chunk ${fourcc.trim()} runs past the RIFF size)`);
    if (fourcc === 'VP8 ' || fourcc === 'VP8L' || fourcc === 'ANMF') image = true;
    yield* skip(padded);
    left -= padded;
  }
  if (!image) return fail('WebP without image data');
  return (yield* atEnd()) ? { ok: true, type: 'webp' } : fail('data after the end of the WebP RIFF container');
}

/** Largest HEIC `meta` box read whole (an iPhone photo's, with tiles and thumbnails, is a few KB). */
const HEIC_META_MAX = 1024 * 1024;

/**
 * HEIC/HEIF: ISO-BMFF boxes tiling the file exactly (ftyp first; a box of size 0 runs to the end) and a `meta` box
 * whose item locations (`iloc`) all lie inside the file — so a file cut at a box boundary fails too.
 */
function* heicParser(): Parser {
  let pos = 0;
  let meta = false;
  let itemsEnd = -1;
  while (!(yield* atEnd())) {
    const head = yield* read(8);
    const type = ascii(head, 4, 4);
    if (!/^[\x20-\x7e]{4}$/.test(type)) return fail('corrupt HEIC (bytes that are not a box where one must start)');
    let size = u32(head, 0);
    let header = 8;
    if (size === 1) {
      const large = yield* read(8);
      const high = u32(large, 0);
      if (high > 0x1fffff) return fail('corrupt HEIC (box larger than any upload)');
      size = high * 0x100000000 + u32(large, 4);
      header = 16;
    }
    if (size === 0) {
      if (type === 'meta') return fail('corrupt HEIC (meta box without a size)');
      pos += header + ((yield { op: 'rest' }) as number);
      break;
    }
    if (size < header) return fail(`corrupt HEIC (box ${type.trim()} smaller than its header)`);
    if (type === 'meta') {
      if (meta) return fail('corrupt HEIC (two meta boxes)');
      if (size - header > HEIC_META_MAX) return fail('corrupt HEIC (meta box too large)');
      const items = ilocEnd(yield* read(size - header));
      if (typeof items === 'string') return fail(`corrupt HEIC (${items})`);
      meta = true;
      itemsEnd = items;
    } else yield* skip(size - header);
    pos += size;
  }
  if (!meta) return fail('HEIC without a meta box');
  if (itemsEnd > pos) return fail('truncated HEIC (its items lie past the end of the file)');
  return { ok: true, type: 'heic' };
}

/** The end (file offset) of the furthest item extent stored in the file, from the meta box's `iloc`; or what is wrong. */
function ilocEnd(meta: Uint8Array): number | string {
  // meta is a full box: version and flags, then child boxes.
  let at = 4;
  let iloc: Uint8Array | undefined;
  while (at + 8 <= meta.length) {
    let size = u32(meta, at);
    const type = ascii(meta, at + 4, 4);
    if (size === 0) size = meta.length - at;
    if (size < 8 || at + size > meta.length) return `meta child box ${type.trim() || '?'} runs past the meta box`;
    if (type === 'iloc') iloc = meta.subarray(at + 8, at + size);
    at += size;
  }
  if (at !== meta.length) return 'bytes after the last box in meta';
  if (!iloc) return 'no item locations (iloc)';
  const b = iloc;
  let p = 0;
  const need = (n: number): boolean => p + n <= b.length;
  const num = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (b[p + i] as number);
    p += n;
    return v;
  };
  if (!need(6)) return 'iloc box too short';
  const version = b[0] as number;
  if (version > 2) return `iloc version ${version}`;
  p = 4;
  const sizes = num(1);
  const offsetSize = sizes >> 4;
  const lengthSize = sizes & 15;
  const more = num(1);
  const baseSize = more >> 4;
  const indexSize = version > 0 ? more & 15 : 0;
  if (![offsetSize, lengthSize, baseSize, indexSize].every((n) => n === 0 || n === 4 || n === 8)) return 'iloc field sizes';
  const idSize = version < 2 ? 2 : 4;
  if (!need(idSize)) return 'iloc box too short';
  const count = num(idSize);
  let end = 0;
  for (let i = 0; i < count; i++) {
    if (!need(idSize + (version > 0 ? 2 : 0) + 2 + baseSize + 2)) return 'iloc box too short';
    num(idSize);
    const method = version > 0 ? num(2) & 15 : 0;
    num(2); // data_reference_index
    const base = num(baseSize);
    const extents = num(2);
    for (let e = 0; e < extents; e++) {
      if (!need(indexSize + offsetSize + lengthSize)) return 'iloc box too short';
      num(indexSize);
      const offset = num(offsetSize);
      const length = num(lengthSize);
      // Method 0: offsets in this file (length 0: the rest of it); 1 (idat) and 2 (item) stay inside what is checked here.
      if (method === 0 && length > 0) end = Math.max(end, base + offset + length);
    }
  }
  return end;
}

const PARSERS: Record<ImageType, () => Parser> = { jpeg: jpegParser, png: pngParser, webp: webpParser, heic: heicParser };

/** The first bytes (checkImage), then the structure of the whole file for the type they announce. */
function* wholeFile(onType: (type: ImageType) => void): Parser {
  const head = (yield { op: 'peek', n: IMAGE_SNIFF_BYTES }) as Uint8Array;
  const first = checkImage(head);
  if (!first.ok) return first;
  onType(first.type);
  return yield* PARSERS[first.type]();
}

/**
 * The whole-file check, fed in chunks as an upload streams in (nothing is kept but the few bytes a step needs):
 * the first bytes as `checkImage` judges them, then the format's complete structure from the first byte to the
 * last (JPEG up to EOI, PNG chunks with their CRCs up to IEND, WebP's RIFF size, HEIC's boxes). A file cut short
 * or with bytes after the image's end is refused. `push` returns the verdict as soon as the file is refused;
 * `end` gives the final one.
 */
export class ImageFileCheck {
  /** The type the first bytes announce, once they are in. */
  type: ImageType | undefined;
  private verdict: ImageCheck | undefined;
  private readonly parser: Parser;
  private need: Need;
  private chunks: Uint8Array[] = [];
  /** Offset into chunks[0]. */
  private at = 0;
  private buffered = 0;
  private ended = false;

  constructor() {
    this.parser = wholeFile((t) => {
      this.type = t;
    });
    this.need = this.step(undefined) as Need;
  }

  /** More bytes; the refusal as soon as the file cannot be a valid image, else undefined. */
  push(chunk: Uint8Array): ImageCheck | undefined {
    if (this.verdict) return this.verdict.ok ? fail(`data after the end of the ${LABEL[this.verdict.type]} image`) : this.verdict;
    if (chunk.length === 0) return undefined;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.run();
    const verdict = this.verdict as ImageCheck | undefined; // set by run()
    return verdict?.ok ? undefined : verdict;
  }

  /** The file is complete: the verdict on all of it. */
  end(): ImageCheck {
    if (!this.ended) {
      this.ended = true;
      this.run();
    }
    return this.verdict as ImageCheck;
  }

  private step(value: unknown): Need | undefined {
    const r = this.parser.next(value);
    if (r.done) {
      this.verdict = r.value;
      return undefined;
    }
    return r.value;
  }

  private truncated(): void {
    this.verdict = this.type ? fail(TRUNCATED[this.type]) : checkImage(this.take(this.buffered));
  }

  /** Answers the parser's needs from the buffered bytes; stops when it needs more than there is (or has a verdict). */
  private run(): void {
    while (!this.verdict) {
      const need = this.need;
      let answer: unknown;
      switch (need.op) {
        case 'read':
          if (this.buffered < need.n) return this.ended ? this.truncated() : undefined;
          answer = this.take(need.n);
          break;
        case 'peek':
          if (this.buffered < need.n && !this.ended) return;
          answer = this.peek(Math.min(need.n, this.buffered));
          break;
        case 'skip': {
          const n = Math.min(need.n, this.buffered);
          this.consume(n, need.each);
          need.n -= n;
          if (need.n > 0) return this.ended ? this.truncated() : undefined;
          break;
        }
        case 'find': {
          const found = this.findByte(need.byte);
          if (!found) return this.ended ? this.truncated() : undefined;
          break;
        }
        case 'atEnd':
          if (this.buffered > 0) answer = false;
          else if (this.ended) answer = true;
          else return;
          break;
        case 'rest':
          need.n = (need.n ?? 0) + this.buffered;
          this.consume(this.buffered);
          if (!this.ended) return;
          answer = need.n;
          break;
      }
      const next = this.step(answer);
      if (next) this.need = next;
    }
  }

  private peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let at = this.at;
    for (const c of this.chunks) {
      if (filled >= n) break;
      const part = c.subarray(at, at + (n - filled));
      out.set(part, filled);
      filled += part.length;
      at = 0;
    }
    return out;
  }

  private take(n: number): Uint8Array {
    const out = this.peek(n);
    this.consume(n);
    return out;
  }

  private consume(n: number, each?: (slice: Uint8Array) => void): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[0] as Uint8Array;
      const part = Math.min(n, c.length - this.at);
      if (each) each(c.subarray(this.at, this.at + part));
      this.at += part;
      n -= part;
      if (this.at === c.length) {
        this.chunks.shift();
        this.at = 0;
      }
    }
  }

  /** Consumes up to and including the next `byte`; false (everything consumed) when it is not buffered. */
  private findByte(byte: number): boolean {
    while (this.chunks.length) {
      const c = this.chunks[0] as Uint8Array;
      const i = c.indexOf(byte, this.at);
      if (i >= 0) {
        this.consume(i + 1 - this.at);
        return true;
      }
      this.consume(c.length - this.at);
    }
    return false;
  }
}

/** The whole-file check of a complete file in memory (see ImageFileCheck). */
export function checkImageFile(bytes: Uint8Array): ImageCheck {
  const check = new ImageFileCheck();
  return check.push(bytes) ?? check.end();
}
