import { checkImage, checkImageFile, detectImageType, IMAGE_SNIFF_BYTES, ImageFileCheck } from '../../src/domain/imageCheck';
import { makeHeic, makeJpeg } from '../support/imageFiles';
import { makePng, pngChunk } from '../support/images';

// --- real image bytes, built by the tests so they own their fixtures ----------------------------------

/** JFIF header as written by most encoders: SOI, APP0 "JFIF" segment, DQT start. */
const JPEG_JFIF = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00, 0xff, 0xdb, 0x00,
  0x43, 0x00,
]);
/** Camera photos start SOI + APP1 "Exif". */
const JPEG_EXIF = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x16]), Buffer.from('Exif\0\0MM\0*', 'binary')]);
/** A 1×1 lossless WebP. */
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
/** iPhone-style HEIC: ftyp box, major brand heic, compatible mif1/heic. */
function ftyp(major: string, compat: string[] = ['mif1', 'heic']): Buffer {
  const size = 16 + compat.length * 4;
  const b = Buffer.alloc(size);
  b.writeUInt32BE(size, 0);
  b.write('ftyp', 4, 'ascii');
  b.write(major, 8, 'ascii');
  compat.forEach((c, i) => b.write(c, 16 + i * 4, 'ascii'));
  return Buffer.concat([b, Buffer.alloc(32)]);
}

describe('detectImageType — real images', () => {
  test('PNG built with zlib', () => {
    const png = makePng();
    expect(detectImageType(png)).toBe('png');
    expect(detectImageType(png.subarray(0, IMAGE_SNIFF_BYTES))).toBe('png'); // what verifyPhotos reads
  });
  test('JPEG (JFIF and Exif headers)', () => {
    expect(detectImageType(JPEG_JFIF)).toBe('jpeg');
    expect(detectImageType(JPEG_EXIF)).toBe('jpeg');
  });
  test('WebP', () => expect(detectImageType(WEBP)).toBe('webp'));
  test('HEIC with brands heic, heix, mif1', () => {
    expect(detectImageType(ftyp('heic'))).toBe('heic');
    expect(detectImageType(ftyp('heix'))).toBe('heic');
    expect(detectImageType(ftyp('mif1', ['mif1', 'heic']))).toBe('heic');
  });
  test('accepts a Uint8Array view into a larger buffer', () => {
    const big = Buffer.concat([Buffer.from('xxxx'), makePng()]);
    expect(detectImageType(new Uint8Array(big.buffer, big.byteOffset + 4, big.length - 4))).toBe('png');
  });
});

describe('checkImage — things that are not images', () => {
  test.each([
    ['empty file', Buffer.alloc(0), 'empty file'],
    ['text renamed .jpg', Buffer.from('这不是照片 / this is not a photo\n'), 'text, not an image'],
    ['random binary', Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]), 'no known image signature'],
    ['JPEG cut after SOI', Buffer.from([0xff, 0xd8]), 'truncated JPEG header'],
    ['JPEG with a non-marker after SOI', Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x00]), 'corrupt JPEG header'],
    ['PNG signature only', makePng().subarray(0, 8), 'truncated PNG header'],
    ['PNG cut inside IHDR', makePng().subarray(0, 20), 'truncated PNG header'],
    [
      'PNG whose first chunk is not IHDR',
      Buffer.concat([makePng().subarray(0, 8), pngChunk('IDAT', Buffer.alloc(20))]),
      'PNG without IHDR chunk',
    ],
    ['PNG 0×0', makePng(0, 0), 'PNG with zero width or height'],
    ['RIFF WAVE audio', Buffer.concat([Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'binary'), Buffer.alloc(16)]), 'RIFF file that is not WebP'],
    ['WebP cut after the RIFF header', WEBP.subarray(0, 10), 'truncated RIFF header'],
    ['MP4 video (ftyp isom)', ftyp('isom', ['isom', 'mp42']), 'unsupported ftyp brand "isom"'],
    ['HEIC cut inside ftyp', ftyp('heic').subarray(0, 12), 'truncated ftyp box'],
  ])('%s', (_name, bytes, reason) => {
    expect(checkImage(bytes)).toEqual({ ok: false, reason });
    expect(detectImageType(bytes)).toBeNull();
  });
});

// --- the whole file (uploads): complete structure, nothing cut off, nothing after the end ---------------

describe('checkImageFile / ImageFileCheck — whole files', () => {
  const FILES: [string, Buffer, 'jpeg' | 'png' | 'webp' | 'heic'][] = [
    ['PNG', makePng(3, 2), 'png'],
    ['JPEG', makeJpeg({ blocks: 2, scanPadding: 300 }), 'jpeg'],
    ['WebP', WEBP, 'webp'],
    ['HEIC', makeHeic(), 'heic'],
  ];

  test.each(FILES)('a complete %s passes, whole or fed a byte at a time', (_name, file, type) => {
    expect(checkImageFile(file)).toEqual({ ok: true, type });
    const check = new ImageFileCheck();
    for (const b of file) expect(check.push(Uint8Array.of(b))).toBeUndefined();
    expect(check.end()).toEqual({ ok: true, type });
    expect(check.type).toBe(type);
  });

  test.each(FILES)('every %s cut short is refused', (_name, file) => {
    for (let n = 0; n < file.length; n++) expect(checkImageFile(file.subarray(0, n))).toMatchObject({ ok: false });
  });

  test.each(FILES)('a %s with anything after its end is refused', (_name, file) => {
    for (const tail of [
      Buffer.from([0]),
      Buffer.alloc(16),
      Buffer.from('<script>alert(1)</script>'),
      Buffer.from('PK\x03\x04', 'binary'),
    ]) {
      expect(checkImageFile(Buffer.concat([file, tail]))).toMatchObject({ ok: false });
    }
  });

  test('the reasons name the format and what is wrong', () => {
    const png = makePng();
    const jpeg = makeJpeg();
    expect(checkImageFile(png.subarray(0, png.length - 12))).toEqual({ ok: false, reason: 'truncated PNG (ends before its IEND chunk)' });
    expect(checkImageFile(Buffer.concat([png, Buffer.from('x')]))).toEqual({ ok: false, reason: 'data after the PNG IEND chunk' });
    expect(checkImageFile(jpeg.subarray(0, jpeg.length - 2))).toEqual({
      ok: false,
      reason: 'truncated JPEG (ends before its end-of-image marker)',
    });
    expect(checkImageFile(Buffer.concat([jpeg, Buffer.from('x')]))).toEqual({
      ok: false,
      reason: 'data after the JPEG end-of-image marker',
    });
    expect(checkImageFile(WEBP.subarray(0, 30))).toEqual({ ok: false, reason: 'truncated WebP (shorter than its RIFF size)' });
    expect(checkImageFile(Buffer.from('hello, not a picture'))).toEqual({ ok: false, reason: 'text, not an image' });
    expect(checkImageFile(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty file' });
  });

  test('PNG: a flipped bit fails its chunk CRC; a PNG without IDAT is refused', () => {
    const png = makePng();
    const flipped = Buffer.from(png);
    flipped[45] = (flipped[45] as number) ^ 0x01; // inside IDAT
    expect(checkImageFile(flipped)).toEqual({ ok: false, reason: 'corrupt PNG (bad CRC in chunk IDAT)' });
    const noIdat = Buffer.concat([png.subarray(0, 33), pngChunk('IEND', Buffer.alloc(0))]);
    expect(checkImageFile(noIdat)).toEqual({ ok: false, reason: 'PNG without image data (no IDAT chunk)' });
  });

  test('JPEG: header only (SOI + APP0, then EOI) has no image data; a second complete image after EOI is accepted (MPF)', () => {
    const jfifOnly = Buffer.concat([JPEG_JFIF.subarray(0, 20), Buffer.from([0xff, 0xd9])]);
    expect(checkImageFile(jfifOnly)).toEqual({
      ok: false,
      reason: 'JPEG without image data (no frame or scan before the end-of-image marker)',
    });
    expect(checkImageFile(Buffer.concat([makeJpeg(), makeJpeg({ blocks: 2 })]))).toEqual({ ok: true, type: 'jpeg' });
    expect(checkImageFile(Buffer.concat([makeJpeg(), makeJpeg().subarray(0, 30)]))).toMatchObject({ ok: false });
  });

  test('HEIC: cut after meta (mdat gone) is truncated; iloc pointing past the end is refused', () => {
    const heic = makeHeic(32);
    expect(checkImageFile(heic.subarray(0, heic.length - 40))).toEqual({
      ok: false,
      reason: 'truncated HEIC (its items lie past the end of the file)',
    });
    expect(checkImageFile(makeHeic(32).subarray(0, heic.length - 40 + 8))).toMatchObject({ ok: false }); // mdat header only
  });

  test('HEIC without a meta box, or padded with zero bytes, is refused', () => {
    expect(checkImageFile(ftyp('heic').subarray(0, 24))).toEqual({ ok: false, reason: 'HEIC without a meta box' });
    expect(checkImageFile(Buffer.concat([makeHeic(), Buffer.alloc(8)]))).toEqual({
      ok: false,
      reason: 'corrupt HEIC (bytes that are not a box where one must start)',
    });
  });

  test('push reports a refusal as soon as it is certain, before the end', () => {
    const check = new ImageFileCheck();
    expect(check.push(Buffer.from('GIF89a, not one of ours, and long enough to judge by its first 64 bytes......'))).toEqual({
      ok: false,
      reason: 'text, not an image',
    });
    const png = new ImageFileCheck();
    expect(png.push(makePng().subarray(0, 60))).toBeUndefined(); // the rest may still come
    expect(png.end()).toEqual({ ok: false, reason: 'truncated PNG (ends before its IEND chunk)' });
    const cut = new ImageFileCheck();
    expect(cut.push(Buffer.concat([makePng(), Buffer.from('trailing')]))).toEqual({ ok: false, reason: 'data after the PNG IEND chunk' });
    expect(cut.end()).toEqual({ ok: false, reason: 'data after the PNG IEND chunk' });
  });
});
