/**
 * Dispatch scoring (派工原则; docs/lifecycle.md, Dispatch). Pure and workflow-safe: no I/O, no Node built-ins, no clock,
 * so the workflow may rank candidates itself and replay gives the same answer.
 */
import type { DispatchPolicy } from './policyTypes';
import type { GeoPoint, RequestType } from './types';

export interface Technician {
  id: string;
  name: string;
  /** Badge number (工号) shown to the customer with the name and phone. */
  workNumber: string;
  /** E.164. */
  phone: string;
  /** Skill tags (see normaliseSkill): product categories (gas_water_heater …) and capabilities (gas, refrigerant …). */
  skills: string[];
  /** 1 junior … 3 senior / L2 specialist. */
  tier: number;
  home: GeoPoint;
  /** Satisfaction 0..1. */
  rating: number;
  active: boolean;
}

export interface RankedCandidate {
  technician: Technician;
  /** Great-circle km from the technician's home to the customer; null when the request has no location. */
  distanceKm: number | null;
  /** Within policy.radiusKm; null when the request has no location (distance then decides nothing). */
  withinRadius: boolean | null;
  /** rating ≥ policy.preferredRating ("service star"). */
  starred: boolean;
  openJobs: number;
  /** One line for the timeline / ops, e.g. "12.4 km (≤30 km), ★ 97%, 1 open job". */
  reason: string;
}

export interface DispatchRequest {
  category: string;
  type: RequestType;
  location?: GeoPoint;
}

export interface RankOptions {
  policy: DispatchPolicy;
  /** Open jobs per technician id; a missing id counts as 0. */
  openJobs: Record<string, number>;
  /** Technicians already tried (declined / timed out) or otherwise ruled out. */
  exclude?: string[];
  /** Minimum tier, e.g. a re-dispatch after an unresolved visit needs a more senior technician. */
  minTier?: number;
}

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;

const toRad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance in km (haversine). Road distance is longer, but ranking only needs a consistent measure. */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  // min() guards against h drifting a hair above 1 for antipodal points.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function isGeoPoint(p: unknown): p is GeoPoint {
  if (typeof p !== 'object' || p === null) return false;
  const { lat, lng } = p as Record<string, unknown>;
  return (
    typeof lat === 'number' &&
    typeof lng === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    lat >= -90 &&
    lat <= 90 &&
    lng >= -180 &&
    lng <= 180
  );
}

/**
 * The one spelling of a skill tag or product category: lower case, runs of spaces and "-" as "_"
 * ("Water-Heater", "water heater" → water_heater). Requests, roster and policy all go through it, so a tag
 * spelt differently in one of them cannot silently match nobody.
 */
export function normaliseSkill(tag: string): string {
  return tag
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * Skills a technician needs for this product category and request type (union, de-duplicated, normalised).
 * A category the policy does not list requires the category itself as a skill: an unknown product must not
 * fall through to "anyone may go" (a gas appliance missing from the policy would otherwise reach an
 * uncertified technician).
 */
export function requiredSkills(category: string, type: RequestType, policy: DispatchPolicy): string[] {
  const cat = normaliseSkill(category);
  // Keys compared normalised too: a policy built by hand may spell them as written.
  const key = Object.keys(policy.skillsByCategory).find((k) => normaliseSkill(k) === cat);
  const byCategory = key !== undefined ? (policy.skillsByCategory[key] ?? []) : [cat];
  const byType = policy.skillsByType[type] ?? [];
  const out: string[] = [];
  for (const s of [...byCategory, ...byType].map(normaliseSkill)) if (s && !out.includes(s)) out.push(s);
  return out;
}

/**
 * Candidates for a request, best first (docs/lifecycle.md, Dispatch). Hard filters: active, has every required skill, not
 * excluded, tier ≥ minTier. Order: within radius → service star → fewer open jobs → nearer → id.
 * An empty result means "escalate to the dispatch lead".
 */
export function rankTechnicians(techs: readonly Technician[], request: DispatchRequest, opts: RankOptions): RankedCandidate[] {
  const { policy } = opts;
  const needed = requiredSkills(request.category, request.type, policy);
  const excluded = new Set(opts.exclude ?? []);
  const minTier = opts.minTier ?? 0;
  const where = isGeoPoint(request.location) ? request.location : undefined;

  const candidates: RankedCandidate[] = [];
  for (const t of techs) {
    if (!t.active || excluded.has(t.id) || t.tier < minTier) continue;
    const has = new Set(t.skills.map(normaliseSkill));
    if (!needed.every((s) => has.has(s))) continue;

    const distanceKm = where ? round1(haversineKm(t.home, where)) : null;
    const withinRadius = distanceKm === null ? null : distanceKm <= policy.radiusKm;
    const starred = t.rating >= policy.preferredRating;
    const openJobs = openJobsOf(opts.openJobs, t.id);
    candidates.push({
      technician: t,
      distanceKm,
      withinRadius,
      starred,
      openJobs,
      reason: describe(distanceKm, withinRadius, policy.radiusKm, starred, t.rating, openJobs),
    });
  }

  candidates.sort((a, b) => compareDispatchOrder(orderOf(a), orderOf(b)));
  const cap = Number.isFinite(policy.maxCandidates) ? Math.max(0, Math.floor(policy.maxCandidates)) : candidates.length;
  return candidates.slice(0, cap);
}

/** A technician's open jobs from a count table: missing, negative or non-finite counts as 0. */
export function openJobsOf(counts: Readonly<Record<string, number>>, technicianId: string): number {
  const n = counts[technicianId];
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

/** Rounded to 0.1 km so the number in `reason` and the one that decided the order are the same. */
function round1(km: number): number {
  return Math.round(km * 10) / 10;
}

/** What the dispatch order looks at: one comparator for the ranking here and the dispatch board's pick (load.ts). */
export interface DispatchOrderKey {
  technicianId: string;
  withinRadius: boolean | null;
  starred: boolean;
  openJobs: number;
  /** Unknown (no location) decides nothing. */
  distanceKm?: number | null;
}

const orderOf = (c: RankedCandidate): DispatchOrderKey => ({
  technicianId: c.technician.id,
  withinRadius: c.withinRadius,
  starred: c.starred,
  openJobs: c.openJobs,
  distanceKm: c.distanceKm,
});

/** Dispatch order (派工原则): within radius → service star → fewer open jobs → nearer → id. */
export function compareDispatchOrder(a: DispatchOrderKey, b: DispatchOrderKey): number {
  return (
    flag(b.withinRadius) - flag(a.withinRadius) ||
    flag(b.starred) - flag(a.starred) ||
    a.openJobs - b.openJobs ||
    (a.distanceKm ?? 0) - (b.distanceKm ?? 0) ||
    // Code-unit comparison, not localeCompare: identical on every worker, so replays agree.
    (a.technicianId < b.technicianId ? -1 : a.technicianId > b.technicianId ? 1 : 0)
  );
}

/** null (unknown location) ranks like false for everyone, i.e. decides nothing. */
const flag = (v: boolean | null): number => (v ? 1 : 0);

function describe(km: number | null, within: boolean | null, radiusKm: number, starred: boolean, rating: number, jobs: number): string {
  const where = km === null ? 'location unknown' : `${km.toFixed(1)} km (${within ? '≤' : '>'}${radiusKm} km)`;
  const pct = `${Math.round(rating * 100)}%`;
  return `${where}, ${starred ? `★ ${pct}` : `rating ${pct}`}, ${jobs} open job${jobs === 1 ? '' : 's'}`;
}
