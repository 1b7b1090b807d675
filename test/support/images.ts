/** Real image bytes for tests: photo checks judge the stored bytes, so fixtures must be decodable images. */
// One implementation, shared with the benchmarks (bench/ is compiled by tsconfig.build.json, test/ is not).
export { makePng, pngChunk } from '../../bench/lib/png';
