import { checkImage, detectImageType, IMAGE_SNIFF_BYTES } from '../../src/domain/imageCheck';
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
