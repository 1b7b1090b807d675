import {
  haversineKm,
  normaliseSkill,
  rankTechnicians,
  requiredSkills,
  type DispatchRequest,
  type RankOptions,
  type Technician,
} from '../../src/domain/dispatch';
import type { DispatchPolicy } from '../../src/domain/policyTypes';
import type { GeoPoint } from '../../src/domain/types';

const PEOPLES_SQUARE: GeoPoint = { lat: 31.2304, lng: 121.4737 };
const PUDONG_AIRPORT: GeoPoint = { lat: 31.1443, lng: 121.8083 };
const XUJIAHUI: GeoPoint = { lat: 31.195, lng: 121.437 }; // ~5 km from People's Square
const LUJIAZUI: GeoPoint = { lat: 31.2397, lng: 121.4998 }; // ~3 km
const XINZHUANG: GeoPoint = { lat: 31.11, lng: 121.385 }; // ~16 km
const KUNSHAN: GeoPoint = { lat: 31.385, lng: 120.98 }; // ~50 km
const SUZHOU: GeoPoint = { lat: 31.299, lng: 120.619 }; // ~80 km

const policy: DispatchPolicy = {
  radiusKm: 30,
  preferredRating: 0.95,
  skillsByCategory: {
    gas_water_heater: ['gas_water_heater', 'gas'],
    air_conditioner: ['air_conditioner', 'refrigerant'],
    remote_control: [],
  },
  skillsByType: { complaint: ['complaint_handling'], installation: ['installation'] },
  maxCandidates: 5,
};

function tech(id: string, over: Partial<Technician> = {}): Technician {
  return {
    id,
    name: `Tech ${id}`,
    workNumber: `T-${id}`,
    phone: '+8613800138000',
    skills: ['gas_water_heater', 'gas'],
    tier: 2,
    home: XUJIAHUI,
    rating: 0.9,
    active: true,
    ...over,
  };
}

const gasRepair: DispatchRequest = { category: 'gas_water_heater', type: 'repair', location: PEOPLES_SQUARE };
const ids = (xs: { technician: Technician }[]): string[] => xs.map((c) => c.technician.id);
const rank = (techs: Technician[], opts: Partial<RankOptions> = {}, req: DispatchRequest = gasRepair) =>
  rankTechnicians(techs, req, { policy, openJobs: {}, ...opts });

describe('haversineKm', () => {
  test('zero for the same point, symmetric', () => {
    expect(haversineKm(PEOPLES_SQUARE, PEOPLES_SQUARE)).toBe(0);
    expect(haversineKm(PEOPLES_SQUARE, PUDONG_AIRPORT)).toBeCloseTo(haversineKm(PUDONG_AIRPORT, PEOPLES_SQUARE), 9);
  });

  test("People's Square ↔ Pudong airport is 30–45 km (≈33 km as the crow flies)", () => {
    const km = haversineKm(PEOPLES_SQUARE, PUDONG_AIRPORT);
    expect(km).toBeGreaterThan(30);
    expect(km).toBeLessThan(45);
    expect(km).toBeCloseTo(33.2, 0);
  });

  test('Shanghai ↔ Beijing ≈ 1 067 km; a quarter of the equator ≈ 10 008 km', () => {
    expect(haversineKm(PEOPLES_SQUARE, { lat: 39.9042, lng: 116.4074 })).toBeGreaterThan(1055);
    expect(haversineKm(PEOPLES_SQUARE, { lat: 39.9042, lng: 116.4074 })).toBeLessThan(1080);
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 0, lng: 90 })).toBeCloseTo((Math.PI / 2) * 6371.0088, 6);
  });
});

describe('requiredSkills', () => {
  test('union of category and type skills, de-duplicated, lower-cased', () => {
    expect(requiredSkills('gas_water_heater', 'repair', policy)).toEqual(['gas_water_heater', 'gas']);
    expect(requiredSkills('Gas_Water_Heater', 'complaint', policy)).toEqual(['gas_water_heater', 'gas', 'complaint_handling']);
    expect(
      requiredSkills('air_conditioner', 'installation', { ...policy, skillsByType: { installation: ['installation', 'refrigerant'] } }),
    ).toEqual(['air_conditioner', 'refrigerant', 'installation']);
  });

  test('a category missing from the policy requires itself; one listed with [] requires nothing', () => {
    expect(requiredSkills('dishwasher', 'repair', policy)).toEqual(['dishwasher']);
    expect(requiredSkills('remote_control', 'repair', policy)).toEqual([]);
  });
});

describe('skill tags compare the same whatever their spelling', () => {
  test('normaliseSkill: lower case, "-" and spaces become "_" (as the API does for categories)', () => {
    expect(normaliseSkill(' Water-Heater ')).toBe('water_heater');
    expect(normaliseSkill('wall  boiler')).toBe('wall_boiler');
    expect(normaliseSkill('GAS_WATER_HEATER')).toBe('gas_water_heater');
  });

  test('policy categories and skills, technician skills and request categories all meet on one spelling', () => {
    const p: DispatchPolicy = {
      ...policy,
      skillsByCategory: { 'Wall-Boiler': ['wall boiler', 'Gas'] },
      skillsByType: { complaint: ['complaint-handling'] },
    };
    expect(requiredSkills('wall_boiler', 'complaint', p)).toEqual(['wall_boiler', 'gas', 'complaint_handling']);
    const t = tech('t1', { skills: ['wall-boiler', 'gas', 'Complaint Handling'] });
    expect(ids(rank([t], { policy: p }, { category: 'wall_boiler', type: 'complaint', location: PEOPLES_SQUARE }))).toEqual(['t1']);
    expect(ids(rank([tech('t2', { skills: ['water-heater'] })], {}, { category: 'water_heater', type: 'repair' }))).toEqual(['t2']);
  });
});

describe('rankTechnicians — hard filters', () => {
  test('drops inactive technicians and those missing any required skill', () => {
    const out = rank([
      tech('ok'),
      tech('inactive', { active: false }),
      tech('no-gas', { skills: ['gas_water_heater'] }),
      tech('wrong-product', { skills: ['air_conditioner', 'gas'] }),
      tech('skills-any-case', { skills: ['GAS_WATER_HEATER', 'Gas'] }),
    ]);
    expect(ids(out)).toEqual(['ok', 'skills-any-case']);
  });

  test('type skills apply: a complaint needs complaint_handling', () => {
    const out = rank(
      [tech('a'), tech('b', { skills: ['gas_water_heater', 'gas', 'complaint_handling'] })],
      {},
      {
        ...gasRepair,
        type: 'complaint',
      },
    );
    expect(ids(out)).toEqual(['b']);
  });

  test('exclude removes technicians already tried', () => {
    expect(ids(rank([tech('a'), tech('b'), tech('c')], { exclude: ['a', 'c'] }))).toEqual(['b']);
  });

  test('minTier keeps only tier ≥ minTier (re-dispatch to a senior)', () => {
    const techs = [tech('t1', { tier: 1 }), tech('t2', { tier: 2 }), tech('t3', { tier: 3 })];
    expect(ids(rank(techs, { minTier: 2 }))).toEqual(['t2', 't3']);
    expect(ids(rank(techs, { minTier: 3 }))).toEqual(['t3']);
    expect(rank(techs, { minTier: 4 })).toEqual([]);
  });

  test('nobody qualifies → empty list (caller escalates to the dispatch lead)', () => {
    expect(rank([tech('a', { active: false })])).toEqual([]);
  });
});

describe('rankTechnicians — order, each rule shown deciding', () => {
  test('1. within radius beats rating, load and id', () => {
    const near = tech('z-near', { home: XINZHUANG, rating: 0.88, tier: 1 });
    const far = tech('a-far', { home: KUNSHAN, rating: 0.99 });
    const out = rank([far, near], { openJobs: { 'z-near': 5, 'a-far': 0 } });
    expect(ids(out)).toEqual(['z-near', 'a-far']);
    expect(out[0]).toMatchObject({ withinRadius: true, starred: false, openJobs: 5 });
    expect(out[1]).toMatchObject({ withinRadius: false, starred: true, openJobs: 0 });
  });

  test('2. among equals on radius, a service star (rating ≥ preferredRating) beats load and distance', () => {
    const star = tech('z-star', { home: XINZHUANG, rating: 0.95 }); // exactly at the threshold counts
    const plain = tech('a-plain', { home: LUJIAZUI, rating: 0.94 });
    const out = rank([plain, star], { openJobs: { 'z-star': 3, 'a-plain': 0 } });
    expect(ids(out)).toEqual(['z-star', 'a-plain']);
    expect(out[0]?.starred).toBe(true);
    expect(out[1]?.starred).toBe(false);
  });

  test('3. then fewer open jobs beats distance', () => {
    const idle = tech('z-idle', { home: XINZHUANG, rating: 0.97 });
    const busy = tech('a-busy', { home: LUJIAZUI, rating: 0.97 });
    const out = rank([busy, idle], { openJobs: { 'z-idle': 1, 'a-busy': 2 } });
    expect(ids(out)).toEqual(['z-idle', 'a-busy']);
    expect(out.map((c) => c.openJobs)).toEqual([1, 2]);
  });

  test('4. then nearer wins — inside the radius and outside it alike', () => {
    const inside = rank([tech('a', { home: XINZHUANG }), tech('b', { home: LUJIAZUI })]);
    expect(ids(inside)).toEqual(['b', 'a']);
    const outside = rank([tech('a', { home: SUZHOU }), tech('b', { home: KUNSHAN })]);
    expect(ids(outside)).toEqual(['b', 'a']);
    expect(outside.every((c) => c.withinRadius === false)).toBe(true);
  });

  test('5. id breaks a full tie, independent of input order', () => {
    const techs = [tech('t3'), tech('t1'), tech('t2')];
    expect(ids(rank(techs))).toEqual(['t1', 't2', 't3']);
    expect(ids(rank([...techs].reverse()))).toEqual(['t1', 't2', 't3']);
  });

  test('unknown location: distance decides nothing, so rating and load do', () => {
    const noLocation: DispatchRequest = { category: 'gas_water_heater', type: 'repair' };
    const out = rank(
      [
        tech('near', { home: LUJIAZUI, rating: 0.9 }),
        tech('far', { home: SUZHOU, rating: 0.99 }),
        tech('far-busy', { home: SUZHOU, rating: 0.99 }),
      ],
      { openJobs: { 'far-busy': 2 } },
      noLocation,
    );
    expect(ids(out)).toEqual(['far', 'far-busy', 'near']);
    expect(out[0]).toMatchObject({ distanceKm: null, withinRadius: null });
    expect(out[0]?.reason).toMatch(/location unknown/);
  });

  test('an invalid location is treated as unknown', () => {
    const out = rank([tech('a')], {}, { ...gasRepair, location: { lat: Number.NaN, lng: 121 } });
    expect(out[0]?.distanceKm).toBeNull();
  });
});

describe('rankTechnicians — output', () => {
  test('caps at policy.maxCandidates, keeping the best', () => {
    const techs = Array.from({ length: 8 }, (_, i) => tech(`t${i}`, { rating: 0.9 + i / 100 }));
    const out = rankTechnicians(techs, gasRepair, { policy: { ...policy, maxCandidates: 3 }, openJobs: {} });
    expect(ids(out)).toEqual(['t5', 't6', 't7']); // the three stars (0.95–0.97), then by id
  });

  test('carries distance, flags, load and a readable reason', () => {
    const [c] = rank([tech('a', { home: LUJIAZUI, rating: 0.97 })], { openJobs: { a: 1 } });
    expect(c?.distanceKm).toBeGreaterThan(2);
    expect(c?.distanceKm).toBeLessThan(4);
    expect(c).toMatchObject({ withinRadius: true, starred: true, openJobs: 1 });
    expect(c?.reason).toBe(`${c?.distanceKm?.toFixed(1)} km (≤30 km), ★ 97%, 1 open job`);
  });

  test('openJobs: missing id counts as 0; nonsense counts as 0', () => {
    const out = rank([tech('a'), tech('b')], { openJobs: { a: Number.NaN, b: -2 } });
    expect(out.map((c) => c.openJobs)).toEqual([0, 0]);
  });
});
