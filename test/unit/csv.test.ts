/** The reports' CSV writer: RFC 4180 quoting, the BOM, CRLF, formula guard, the long layout. */
import { BOM, csvCell, leaves, reportCsv, toCsv } from '../../src/reports/csv';

test('plain cells stay as they are; numbers, booleans and empties', () => {
  expect(csvCell('北京市')).toBe('北京市');
  expect(csvCell(0.25)).toBe('0.25');
  expect(csvCell(-3)).toBe('-3');
  expect(csvCell(Number.NaN)).toBe('');
  expect(csvCell(true)).toBe('true');
  expect(csvCell(null)).toBe('');
  expect(csvCell(undefined)).toBe('');
});

test('commas, quotes, line breaks and edge spaces are quoted; quotes doubled', () => {
  expect(csvCell('a,b')).toBe('"a,b"');
  expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  expect(csvCell('two\nlines')).toBe('"two\nlines"');
  expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  expect(csvCell(' padded')).toBe('" padded"');
  expect(csvCell('padded ')).toBe('"padded "');
});

test('text a spreadsheet would run as a formula gets an apostrophe (numbers do not)', () => {
  expect(csvCell('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
  expect(csvCell('+86 138')).toBe("'+86 138");
  expect(csvCell('-x')).toBe("'-x");
  expect(csvCell('@cmd')).toBe("'@cmd");
  expect(csvCell('=1,2')).toBe('"\'=1,2"');
});

test('a document: BOM, header, CRLF after every line', () => {
  expect(
    toCsv(
      ['a', 'b'],
      [
        ['x', 1],
        ['y,z', null],
      ],
    ),
  ).toBe(`${BOM}a,b\r\nx,1\r\n"y,z",\r\n`);
  expect(Buffer.from(toCsv(['a'], [])).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
});

test('a report as a long table; array elements named by their key (not repeated as a figure)', () => {
  expect(leaves({ a: 1, b: { c: [{ key: 'k1', n: 2 }, { n: 3 }] } })).toEqual([
    [['a'], 1],
    [['b', 'c', 'k1', 'n'], 2],
    [['b', 'c', '2', 'n'], 3],
  ]);
  expect(reportCsv({ date: '2026-11-25', sla: { on_site: { met: 3 } }, byRegion: [{ key: '广东省深圳市', requests: 2 }] })).toBe(
    `${BOM}section,item,measure,value\r\n,,date,2026-11-25\r\nsla,on_site,met,3\r\nbyRegion,广东省深圳市,requests,2\r\n`,
  );
});
