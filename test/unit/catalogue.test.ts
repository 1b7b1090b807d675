/**
 * The price list and the parts catalogue (src/catalogue/, docs/catalogue.md): the shipped files load; a broken
 * copy gives one message per bad field naming its file and path; lines are priced in integer fen.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assertCurrency, CatalogueError, checkCurrency, loadCatalogue, priceLines, type Catalogue } from '../../src/catalogue';
import type { LineInput } from '../../src/domain/charges';
import { POLICY_DEFAULTS } from '../../src/domain/policy';
import { loadConfig } from '../../src/config';
import { loadPolicyFile } from '../../src/policy';

const ROOT = resolve(__dirname, '../..');
const SHIPPED = { priceListFile: join(ROOT, 'catalogue/prices.yaml'), partsFile: join(ROOT, 'catalogue/parts.yaml') };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aftercare-catalogue-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the two files into the temp dir and returns their paths. */
function files(name: string, prices: string, parts: string): { priceListFile: string; partsFile: string } {
  const priceListFile = join(dir, `${name}-prices.yaml`);
  const partsFile = join(dir, `${name}-parts.yaml`);
  writeFileSync(priceListFile, prices);
  writeFileSync(partsFile, parts);
  return { priceListFile, partsFile };
}

function issuesOf(f: { priceListFile: string; partsFile: string }): { file: string; path: string; message: string }[] {
  try {
    loadCatalogue(f);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogueError);
    return (err as CatalogueError).issues;
  }
  throw new Error('expected a CatalogueError');
}

const SMALL_PRICES = `
currency: CNY
labour:
  - code: GEN-DIAG
    name: { zh: 故障检测, en: Fault diagnosis }
    price: 3000
  - code: GAS-IGNITION
    name: { zh: 点火系统维修, en: Ignition system repair }
    price: 8000
    categories: [Gas-Water-Heater, gas_hob]
  - code: AC-RECHARGE
    name: { zh: 空调加氟, en: Refrigerant recharge }
    price: 15000
    categories: [air_conditioner]
`;
const SMALL_PARTS = `
parts:
  - partNumber: GWH-TC-01
    name: { zh: 热电偶, en: Thermocouple }
    categories: [gas_water_heater, gas_hob]
    price: 3500
  - partNumber: AC-CAP-01
    name: { zh: 压缩机电容, en: Compressor capacitor }
    categories: [air_conditioner]
    price: 4500
`;

describe('loadCatalogue: the shipped files', () => {
  let c: Catalogue;
  beforeAll(() => {
    c = loadCatalogue(SHIPPED);
  });

  it('load, in CNY, with integer prices and a dozen and more parts', () => {
    expect(c.currency).toBe('CNY');
    expect(c.labour.length).toBeGreaterThanOrEqual(10);
    expect(c.parts.length).toBeGreaterThanOrEqual(12);
    for (const item of [...c.labour, ...c.parts]) {
      expect({ item, integer: Number.isInteger(item.price) && item.price >= 0 }).toEqual({ item, integer: true });
    }
    expect(c.partsByNumber.get('GWH-TC-01')).toEqual({
      partNumber: 'GWH-TC-01',
      name: { zh: '热电偶', en: 'Thermocouple' },
      categories: ['gas_water_heater', 'gas_hob'],
      price: 3500,
    });
    expect(c.labourByCode.get('GEN-DIAG')).toEqual({ code: 'GEN-DIAG', name: { zh: '故障检测', en: 'Fault diagnosis' }, price: 3000 });
    expect(c.files).toEqual(SHIPPED);
  });

  it('are the configured defaults, and agree with the shipped policies on the currency', () => {
    expect(loadConfig({}).catalogue).toEqual(SHIPPED);
    expect(loadConfig({ PRICE_LIST_FILE: '/srv/p.yaml', PARTS_CATALOGUE_FILE: 'x/parts.yaml' }).catalogue).toEqual({
      priceListFile: '/srv/p.yaml',
      partsFile: join(ROOT, 'x/parts.yaml'),
    });
    for (const file of ['policy/default.yaml', 'policy/fast.yaml']) {
      expect(checkCurrency(c, loadPolicyFile(join(ROOT, file)).charges!)).toBeUndefined();
    }
  });

  it('fit the categories of the shipped policy', () => {
    const policy = loadPolicyFile(join(ROOT, 'policy/default.yaml'));
    const known = new Set([...Object.keys(policy.dispatch.skillsByCategory), ...Object.keys(policy.warranty!.categories)]);
    const used = new Set([...c.parts.flatMap((p) => p.categories), ...c.labour.flatMap((l) => l.categories ?? [])]);
    expect([...used].filter((cat) => !known.has(cat))).toEqual([]);
  });
});

describe('loadCatalogue: a broken copy', () => {
  it('gives one message per bad field, naming the file and the path', () => {
    const f = files(
      'broken',
      `
currency: cny
labour:
  - code: GEN-DIAG
    name: { zh: 故障检测, en: Fault diagnosis }
    price: 30.5
  - code: GEN-DIAG
    name: { zh: 故障检测 }
    price: -1
  - code: gen repair
    name: { zh: 一般维修, en: Repair }
    price: 5000
    colour: red
`,
      `
parts:
  - partNumber: GWH-TC-01
    name: { zh: 热电偶, en: Thermocouple }
    categories: []
    price: "35"
  - partNumber: GWH-TC-01
    categories: [gas_water_heater]
    price: 3500
  - partNumber: AC-CAP-01
    name: { zh: 压缩机电容, en: '' }
    categories: [air_conditioner]
    prise: 4500
`,
    );
    const P = f.priceListFile;
    const Q = f.partsFile;
    const issues = issuesOf(f);
    expect(issues).toEqual([
      { file: P, path: 'currency', message: '"cny" is not a currency code (ISO 4217: 3 capital letters, e.g. "CNY")' },
      { file: P, path: 'labour[0].price', message: '30.5 is not a whole number: amounts are integers in fen (e.g. 5050 for 50.50 CNY)' },
      { file: P, path: 'labour[1].name.en', message: 'is required' },
      { file: P, path: 'labour[1].price', message: '-1 is negative: amounts are integers ≥ 0 in fen' },
      { file: P, path: 'labour[2].colour', message: 'is not a known setting' },
      {
        file: P,
        path: 'labour[2].code',
        message: '"gen repair" is not a labour code (capital letters, digits, ".", "-" or "_"; at most 40)',
      },
      { file: P, path: 'labour[1].code', message: '"GEN-DIAG" is already given by labour[0]' },
      { file: Q, path: 'parts[0].categories', message: 'must list at least 1 item' },
      { file: Q, path: 'parts[0].price', message: 'must be a number, got "35"' },
      { file: Q, path: 'parts[1].name', message: 'is required' },
      { file: Q, path: 'parts[2].price', message: 'is required' },
      { file: Q, path: 'parts[2].prise', message: 'is not a known setting (did you mean "price"?)' },
      { file: Q, path: 'parts[2].name.en', message: 'must not be empty' },
      { file: Q, path: 'parts[1].partNumber', message: '"GWH-TC-01" is already given by parts[0]' },
    ]);
  });

  it('says it all in one error message, one line per problem', () => {
    const f = files('two', SMALL_PRICES.replace('price: 3000', 'price: 30.00001'), SMALL_PARTS.replace('AC-CAP-01', 'GWH-TC-01'));
    expect(() => loadCatalogue(f)).toThrow(
      new CatalogueError([
        {
          file: f.priceListFile,
          path: 'labour[0].price',
          message: '30.00001 is not a whole number: amounts are integers in fen (e.g. 5050 for 50.50 CNY)',
        },
        { file: f.partsFile, path: 'parts[1].partNumber', message: '"GWH-TC-01" is already given by parts[0]' },
      ]),
    );
    let message = '';
    try {
      loadCatalogue(f);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid catalogue (2 problems):',
      `  - ${f.priceListFile}: labour[0].price: 30.00001 is not a whole number: amounts are integers in fen (e.g. 5050 for 50.50 CNY)`,
      `  - ${f.partsFile}: parts[1].partNumber: "GWH-TC-01" is already given by parts[0]`,
    ]);
  });

  it('reports unreadable, empty and malformed files by name', () => {
    const f = files('bad-yaml', 'currency: CNY\nlabour: [\n', '');
    const issues = issuesOf(f);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toEqual({ file: f.priceListFile, path: '', message: expect.stringMatching(/^not valid YAML: /) });
    expect(issues[1]).toEqual({ file: f.partsFile, path: '', message: 'must be a mapping (key: value), got null' });
    const missing = { priceListFile: join(dir, 'nope.yaml'), partsFile: f.partsFile };
    expect(issuesOf(missing)[0]).toEqual({
      file: missing.priceListFile,
      path: '',
      message: expect.stringMatching(/^cannot be read: ENOENT/),
    });
  });
});

describe('checkCurrency', () => {
  it("is a problem when the price list's currency is not the policy's", () => {
    const c = loadCatalogue(files('usd', SMALL_PRICES.replace('currency: CNY', 'currency: USD'), SMALL_PARTS));
    expect(checkCurrency(c, POLICY_DEFAULTS.charges)).toEqual({
      path: 'currency',
      message: 'the price list is in USD but the policy charges in CNY (charges.currency)',
    });
    expect(checkCurrency(c, { currency: 'USD', visitFee: 5000 })).toBeUndefined();
    expect(() => assertCurrency(c, POLICY_DEFAULTS.charges)).toThrow(
      `Invalid catalogue (1 problem):\n  - ${c.files.priceListFile}: currency: the price list is in USD but the policy charges in CNY (charges.currency)`,
    );
  });
});

describe('priceLines', () => {
  let c: Catalogue;
  beforeAll(() => {
    c = loadCatalogue(files('small', SMALL_PRICES, SMALL_PARTS));
  });

  it('prices a clean list in integer fen, per line and in total', () => {
    const lines: LineInput[] = [
      { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
      { kind: 'part', partNumber: 'gwh-tc-01', quantity: 2 },
      { kind: 'labour', code: 'GEN-DIAG', quantity: 1 },
    ];
    const r = priceLines(c, lines, 'Gas-Water-Heater');
    expect(r).toEqual({
      problems: [],
      priced: {
        lines: [
          {
            kind: 'labour',
            ref: 'GAS-IGNITION',
            name: { zh: '点火系统维修', en: 'Ignition system repair' },
            quantity: 1,
            unitPrice: 8000,
            amount: 8000,
          },
          { kind: 'part', ref: 'GWH-TC-01', name: { zh: '热电偶', en: 'Thermocouple' }, quantity: 2, unitPrice: 3500, amount: 7000 },
          { kind: 'labour', ref: 'GEN-DIAG', name: { zh: '故障检测', en: 'Fault diagnosis' }, quantity: 1, unitPrice: 3000, amount: 3000 },
        ],
        labour: 11000,
        parts: 7000,
        total: 18000,
        currency: 'CNY',
      },
    });
    const { priced } = r;
    for (const n of [priced!.labour, priced!.parts, priced!.total, ...priced!.lines.map((l) => l.amount)])
      expect(Number.isInteger(n)).toBe(true);
  });

  it('names every bad line by its index path, and prices nothing then', () => {
    const lines = [
      { kind: 'labour', code: 'GAS-IGNITON', quantity: 1 },
      { kind: 'part', partNumber: 'GWH-TC-09', quantity: 1 },
      { kind: 'part', partNumber: 'AC-CAP-01', quantity: 1 },
      { kind: 'labour', code: 'AC-RECHARGE', quantity: 1 },
      { kind: 'part', partNumber: 'GWH-TC-01', quantity: 0 },
      { kind: 'labour', code: 'GEN-DIAG', quantity: 1.5 },
      { kind: 'part', partNumber: 'GWH-TC-01', quantity: 100 },
      { kind: 'labour', code: 'GEN-DIAG', quantity: 2 },
    ] as LineInput[];
    expect(priceLines(c, lines, 'gas_water_heater', 'quote.lines')).toEqual({
      problems: [
        { path: 'quote.lines[0].code', message: 'unknown labour code "GAS-IGNITON"' },
        { path: 'quote.lines[1].partNumber', message: 'unknown part "GWH-TC-09"' },
        {
          path: 'quote.lines[2].partNumber',
          message: 'part "AC-CAP-01" (Compressor capacitor) does not fit category "gas_water_heater"',
        },
        { path: 'quote.lines[3].code', message: '"AC-RECHARGE" (Refrigerant recharge) does not apply to category "gas_water_heater"' },
        { path: 'quote.lines[4].quantity', message: 'must be a whole number from 1 to 99, got 0' },
        { path: 'quote.lines[5].quantity', message: 'must be a whole number from 1 to 99, got 1.5' },
        { path: 'quote.lines[6].quantity', message: 'must be a whole number from 1 to 99, got 100' },
      ],
    });
  });

  it('uses `lines` as the default path, and refuses an empty list', () => {
    expect(priceLines(c, [{ kind: 'part', partNumber: 'X-1', quantity: 1 }], 'air_conditioner')).toEqual({
      problems: [{ path: 'lines[0].partNumber', message: 'unknown part "X-1"' }],
    });
    expect(priceLines(c, [], 'air_conditioner')).toEqual({ problems: [{ path: 'lines', message: 'must list at least one line' }] });
  });
});
