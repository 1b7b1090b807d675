import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileDirectory, parseRoster, RosterError } from '../../src/adapters/directory';
import { haversineKm, rankTechnicians, type Technician } from '../../src/domain/dispatch';
import type { DispatchPolicy } from '../../src/domain/policyTypes';

const DEMO_ROSTER = resolve(__dirname, '../../policy/technicians.yaml');
const PEOPLES_SQUARE = { lat: 31.2304, lng: 121.4737 };

const good = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 't1',
  name: '张伟',
  workNumber: 'T-1001',
  phone: '+8613800138001',
  skills: ['gas_water_heater', 'gas'],
  tier: 2,
  home: { lat: 31.24, lng: 121.5 },
  rating: 0.95,
  active: true,
  ...over,
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aftercare-roster-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('demo roster (policy/technicians.yaml)', () => {
  let roster: Technician[];
  beforeAll(async () => {
    roster = await new FileDirectory(DEMO_ROSTER).list();
  });

  test('loads ~16 valid technicians with unique ids and work numbers, one inactive', () => {
    expect(roster.length).toBeGreaterThanOrEqual(14);
    expect(new Set(roster.map((t) => t.id)).size).toBe(roster.length);
    expect(new Set(roster.map((t) => t.workNumber)).size).toBe(roster.length);
    expect(roster.filter((t) => !t.active)).toHaveLength(1);
    expect(new Set(roster.map((t) => t.tier))).toEqual(new Set([1, 2, 3]));
    for (const t of roster) {
      expect(t.workNumber).toMatch(/^T-\d{4}$/);
      expect(t.phone).toMatch(/^\+86138001380\d\d$/);
      expect(t.name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
      expect(t.rating).toBeGreaterThanOrEqual(0.88);
      expect(t.rating).toBeLessThanOrEqual(0.99);
    }
  });

  test('mostly around Shanghai, with two or three far away (> 30 km)', () => {
    const far = roster.filter((t) => haversineKm(t.home, PEOPLES_SQUARE) > 30);
    expect(far.length).toBeGreaterThanOrEqual(2);
    expect(far.length).toBeLessThanOrEqual(4);
    expect(roster.every((t) => haversineKm(t.home, PEOPLES_SQUARE) < 120)).toBe(true);
  });

  test('covers every demo category with gas-certified and refrigerant-certified people', () => {
    const skills = new Set(roster.flatMap((t) => t.skills));
    for (const s of [
      'gas_water_heater',
      'electric_water_heater',
      'wall_boiler',
      'air_conditioner',
      'refrigerator',
      'washing_machine',
      'range_hood',
      'gas_hob',
      'dishwasher',
      'water_purifier',
      'gas',
      'refrigerant',
      'electrical',
      'plumbing',
      'installation',
      'complaint_handling',
    ]) {
      expect(skills).toContain(s);
    }
  });

  test("ranks a gas water heater repair at People's Square sensibly", () => {
    const policy: DispatchPolicy = {
      radiusKm: 30,
      preferredRating: 0.95,
      skillsByCategory: { gas_water_heater: ['gas_water_heater', 'gas'] },
      skillsByType: {},
      maxCandidates: 10,
    };
    const out = rankTechnicians(
      roster,
      { category: 'gas_water_heater', type: 'repair', location: PEOPLES_SQUARE },
      { policy, openJobs: {} },
    );
    expect(out.length).toBeGreaterThanOrEqual(3);
    expect(out.every((c) => c.technician.active && c.technician.skills.includes('gas'))).toBe(true);
    expect(out[0]).toMatchObject({ withinRadius: true, starred: true });
    expect(out.map((c) => c.technician.id)).not.toContain('t1012'); // on leave
    expect(out.at(-1)?.withinRadius).toBe(false); // the Kunshan technician comes last
  });
});

describe('validation', () => {
  test('names index and field of every bad record', () => {
    let err: unknown;
    try {
      parseRoster(
        {
          technicians: [
            good(),
            good({ id: 't2', home: { lat: 131.2, lng: 121.5 } }),
            good({ id: 't3', phone: '13800138000', tier: 5 }),
            'not an object',
            good({ id: 't1', skills: [] }),
            good({ id: 't6', rating: 1.5, active: 'yes', skills: ['gas', ''] }),
          ],
        },
        'roster.yaml',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RosterError);
    const e = err as RosterError;
    expect(e.issues.map((i) => `${i.index}:${i.field}`)).toEqual([
      '1:home.lat',
      '2:phone',
      '2:tier',
      '3:',
      '4:id',
      '4:skills',
      '5:skills[1]',
      '5:rating',
      '5:active',
    ]);
    expect(e.message).toContain('roster.yaml');
    expect(e.message).toContain('technicians[1].home.lat: expected a number from -90 to 90');
    expect(e.message).toContain('technicians[4].id: duplicate of technicians[0].id "t1"');
    expect(e.message).toContain('technicians[3]: expected an object');
  });

  test('missing fields are named too', () => {
    expect(() => parseRoster([{ id: 't1' }])).toThrow(/technicians\[0\]\.name: expected a non-empty string/);
    expect(() => parseRoster([{ id: 't1' }])).toThrow(/technicians\[0\]\.home: expected \{ lat, lng \}/);
  });

  test('accepts a bare list; active defaults to true; skills are normalised', () => {
    const [t] = parseRoster([good({ active: undefined, skills: [' Gas ', 'gas', 'GAS_WATER_HEATER'] })]);
    expect(t).toMatchObject({ active: true, skills: ['gas', 'gas_water_heater'] });
  });

  test('skill tags are normalised like request categories: "water-heater" matches a water_heater request', () => {
    // The API turns the category "Water-Heater" / "water heater" into water_heater; a roster tag spelt with
    // "-" or a space must reach the same tag, or every such request silently finds nobody.
    const [t] = parseRoster([good({ skills: ['water-heater', 'Wall Boiler', 'gas'] })]);
    expect(t!.skills).toEqual(['water_heater', 'wall_boiler', 'gas']);
    const policy: DispatchPolicy = { radiusKm: 30, preferredRating: 0.95, skillsByCategory: {}, skillsByType: {}, maxCandidates: 5 };
    const found = rankTechnicians([t!], { category: 'water_heater', type: 'repair', location: PEOPLES_SQUARE }, { policy, openJobs: {} });
    expect(found.map((c) => c.technician.id)).toEqual(['t1']);
  });

  test('a tag that is still not a skill after normalising is named', () => {
    expect(() => parseRoster([good({ skills: ['gas', '-gas', 'wifi/5g'] })])).toThrow(
      /technicians\[0\]\.skills\[1\]: expected a skill tag/,
    );
    expect(() => parseRoster([good({ skills: ['gas', 'wifi/5g'] })])).toThrow(/technicians\[0\]\.skills\[1\]: expected a skill tag/);
  });

  test('a document that is not a list', () => {
    expect(() => parseRoster({ people: [] }, 'x.yaml')).toThrow('technicians: expected a list of technicians');
  });
});

describe('FileDirectory', () => {
  test('reads JSON too, and get() finds by id (null when unknown)', async () => {
    const file = join(dir, 'roster.json');
    await writeFile(file, JSON.stringify({ technicians: [good()] }));
    const d = new FileDirectory(file);
    expect((await d.get('t1'))?.name).toBe('张伟');
    expect(await d.get('nobody')).toBeNull();
  });

  test('a broken file on first load throws a clear error', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "technicians": [ ');
    await expect(new FileDirectory(file).list()).rejects.toThrow(/broken\.json[\s\S]*not valid json/);
    await expect(new FileDirectory(join(dir, 'absent.yaml')).list()).rejects.toThrow(/ENOENT/);
  });

  test('reloads when the file changes; keeps the last good roster when an edit is broken', async () => {
    const file = join(dir, 'live.yaml');
    const errors: Error[] = [];
    const d = new FileDirectory(file, { onReloadError: (e) => errors.push(e) });
    await writeFile(file, 'technicians:\n  - ' + JSON.stringify(good()));
    await utimes(file, 1_700_000_000, 1_700_000_000);
    expect((await d.list()).map((t) => t.id)).toEqual(['t1']);

    await writeFile(file, 'technicians:\n  - ' + JSON.stringify(good()) + '\n  - ' + JSON.stringify(good({ id: 't2' })));
    await utimes(file, 1_700_000_100, 1_700_000_100);
    expect((await d.list()).map((t) => t.id)).toEqual(['t1', 't2']);

    await writeFile(file, 'technicians:\n  - ' + JSON.stringify(good({ tier: 9 })));
    await utimes(file, 1_700_000_200, 1_700_000_200);
    expect((await d.list()).map((t) => t.id)).toEqual(['t1', 't2']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('technicians[0].tier');
  });

  test('returns copies: callers cannot corrupt the cache', async () => {
    const file = join(dir, 'copy.json');
    await writeFile(file, JSON.stringify([good()]));
    const d = new FileDirectory(file);
    const [t] = await d.list();
    t!.skills.push('hacked');
    t!.home.lat = 0;
    expect(await d.get('t1')).toMatchObject({ skills: ['gas_water_heater', 'gas'], home: { lat: 31.24 } });
  });
});
