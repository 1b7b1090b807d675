/**
 * The workflow bundle every worker loads (built once by globalSetup, as `npm run build` builds dist/): its inline
 * source map keeps a position for every source and the text of the project's own, but not the libraries' text.
 * With it, the map's line passed 4 MB and jest's source-map-support overflowed V8's regexp stack on it whenever
 * a stack trace named the bundle ("Test suite failed to run: Maximum call stack size exceeded").
 */
import { readFileSync } from 'node:fs';
import { withoutLibrarySources } from '../../src/temporal/bundle';
import { workflowBundle } from '../support/bundle';

const TAG = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';

interface SourceMap {
  sources: string[];
  sourcesContent: (string | null)[];
  mappings: string;
}
const mapOf = (code: string): SourceMap =>
  JSON.parse(Buffer.from(code.slice(code.lastIndexOf(TAG) + TAG.length), 'base64').toString()) as SourceMap;

test('the bundle maps every source, keeps the project sources only, and no line reaches 2 MB', () => {
  const code = readFileSync(workflowBundle().codePath, 'utf8');
  const map = mapOf(code);
  const library = map.sources.filter((s) => s.includes('/node_modules/'));
  const own = map.sources.filter((s) => !s.includes('/node_modules/') && s.endsWith('.ts'));
  expect(library.length).toBeGreaterThan(100);
  expect(own).toEqual(expect.arrayContaining([expect.stringMatching(/workflows\/lifecycle\/serviceRequest\.ts$/)]));
  map.sources.forEach((s, i) => {
    if (s.includes('/node_modules/')) expect(map.sourcesContent[i]).toBeNull();
  });
  for (const s of own) expect(map.sourcesContent[map.sources.indexOf(s)]).toEqual(expect.any(String));
  expect(map.sourcesContent[map.sources.findIndex((s) => s.endsWith('workflows/lifecycle/serviceRequest.ts'))]).toContain(
    'serviceRequestV2',
  );
  expect(map.mappings.length).toBeGreaterThan(100_000);
  expect(Math.max(...code.split('\n').map((l) => l.length))).toBeLessThan(2_000_000);
});

test('slimming leaves the code and the mappings as they were', () => {
  const map = {
    version: 3,
    sources: ['/p/node_modules/x/a.js', '/p/workflows/b.ts'],
    sourcesContent: ['lib', 'own'],
    mappings: 'AAAA;AACA',
  };
  const code = `var a = 1;\n${TAG}${Buffer.from(JSON.stringify(map)).toString('base64')}`;
  const slim = withoutLibrarySources(code);
  expect(slim.slice(0, slim.lastIndexOf(TAG))).toBe('var a = 1;\n');
  expect(mapOf(slim)).toEqual({ ...map, sourcesContent: [null, 'own'] });
  expect(() => withoutLibrarySources('var a = 1;')).toThrow(/no inline source map/);
});
