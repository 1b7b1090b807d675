/**
 * Complete image files for the whole-file check (src/domain/imageCheck.ts) and the upload routes: each one is the
 * structure its format requires from the first byte to the last, so a test that cuts or pads one knows what it broke.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { makePng, pngChunk } from './images';

export { makePng, pngChunk };

const seg = (marker: number, body: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt8(0xff, 0);
  head.writeUInt8(marker, 1);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
};

/**
 * A baseline greyscale JPEG of `blocks` 8×8 blocks in one row, every block flat grey: SOI, APP0 JFIF, DQT, SOF0,
 * two one-code Huffman tables (DC difference 0, AC end-of-block), SOS, the entropy-coded scan, EOI. `scan` adds
 * bytes inside the scan (0xFF is stuffed as FF 00, as an encoder does), e.g. to make a file of a given size.
 */
export function makeJpeg(opts: { blocks?: number; scanPadding?: number } = {}): Buffer {
  const blocks = opts.blocks ?? 1;
  const app0 = seg(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]));
  const dqt = seg(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
  const sof0 = Buffer.alloc(9);
  sof0.writeUInt8(8, 0); // precision
  sof0.writeUInt16BE(8, 1); // height
  sof0.writeUInt16BE(8 * blocks, 3); // width
  sof0.writeUInt8(1, 5); // one component: id 1, no subsampling, table 0
  sof0.writeUInt8(1, 6);
  sof0.writeUInt8(0x11, 7);
  sof0.writeUInt8(0, 8);
  // One code of length 1 ("0") per table: DC category 0, AC 0x00 (end of block).
  const huff = (tableClassId: number): Buffer =>
    seg(0xc4, Buffer.concat([Buffer.from([tableClassId, 1]), Buffer.alloc(15), Buffer.from([0])]));
  const sos = seg(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  // Each block: DC "0" + EOB "0" = two 0-bits; pad the last byte with 1-bits.
  const bits = '00'.repeat(blocks);
  const padded = bits + '1'.repeat((8 - (bits.length % 8)) % 8);
  const scan: number[] = [];
  for (let i = 0; i < padded.length; i += 8) scan.push(parseInt(padded.slice(i, i + 8), 2));
  let data = Buffer.from(scan);
  if (opts.scanPadding) {
    // Restart-free filler a decoder skips as extra scan data: random bytes with every 0xFF stuffed.
    const extra = randomBytes(opts.scanPadding);
    const stuffed: number[] = [];
    for (const b of extra) {
      stuffed.push(b);
      if (b === 0xff) stuffed.push(0x00);
    }
    data = Buffer.concat([data, Buffer.from(stuffed)]);
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app0,
    dqt,
    seg(0xc0, sof0),
    huff(0x00),
    huff(0x10),
    sos,
    data,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A 1×1 lossless WebP (RIFF size 26, 34 bytes), as cwebp writes it. */
export const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

const box = (type: string, body: Buffer): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'ascii');
  return Buffer.concat([head, body]);
};
const fullBox = (type: string, body: Buffer): Buffer => box(type, Buffer.concat([Buffer.alloc(4), body]));

/**
 * An iPhone-style HEIC container: ftyp (heic; mif1, heic), meta (hdlr pict, pitm, iloc with one item whose data
 * is the whole of mdat), mdat.
 */
export function makeHeic(mdatBytes = 32): Buffer {
  const ftyp = box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'binary'));
  const hdlr = fullBox('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('pict', 'ascii'), Buffer.alloc(12), Buffer.from([0])]));
  const pitm = fullBox('pitm', Buffer.from([0, 1]));
  const iloc = (offset: number): Buffer => {
    // version 0: offset and length 4 bytes, no base offset; one item (id 1), one extent.
    const b = Buffer.alloc(18);
    b.writeUInt8(0x44, 0);
    b.writeUInt16BE(1, 2); // item count
    b.writeUInt16BE(1, 4); // item id
    b.writeUInt16BE(1, 8); // extent count
    b.writeUInt32BE(offset, 10);
    b.writeUInt32BE(mdatBytes, 14);
    return fullBox('iloc', b);
  };
  const metaOf = (offset: number): Buffer => fullBox('meta', Buffer.concat([hdlr, pitm, iloc(offset)]));
  const dataAt = ftyp.length + metaOf(0).length + 8;
  return Buffer.concat([ftyp, metaOf(dataAt), box('mdat', Buffer.alloc(mdatBytes, 0x42))]);
}

/** A decodable greyscale PNG of about `bytes` bytes: random pixels, stored (uncompressed) deflate. */
export function pngOfSize(bytes: number): Buffer {
  const width = 1024;
  const height = Math.max(1, Math.ceil(bytes / (width + 1)));
  const rows = randomBytes(height * (width + 1));
  for (let r = 0; r < height; r++) rows[r * (width + 1)] = 0; // filter type "none" per row
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows, { level: 0 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
