/**
 * Roster validation: turns parsed JSON/YAML into Technician records or one error naming every bad
 * record by index and field, so whoever edits the roster sees all their mistakes at once.
 */
import { isGeoPoint, normaliseSkill, type Technician } from '../../domain/dispatch';

export interface RosterIssue {
  /** Position in the technicians list; -1 for the document itself. */
  index: number;
  /** Dotted path inside the record, e.g. "home.lat". */
  field: string;
  message: string;
}

export class RosterError extends Error {
  constructor(
    readonly source: string,
    readonly issues: RosterIssue[],
  ) {
    super(`Invalid technician roster ${source}:\n  - ` + issues.map((i) => `${issuePath(i)}: ${i.message}`).join('\n  - '));
    this.name = 'RosterError';
  }
}

/** "technicians[3].home.lat", or just the field for document-level problems. */
export function issuePath(i: RosterIssue): string {
  if (i.index < 0) return i.field;
  return `technicians[${i.index}]${i.field ? `.${i.field}` : ''}`;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/** A skill tag after normaliseSkill ("Water-Heater" → water_heater), the spelling request categories get. */
const SKILL = /^[a-z0-9][a-z0-9_]{0,63}$/;

/** Accepts either a bare list or `{ technicians: [...] }`. Throws RosterError. */
export function parseRoster(doc: unknown, source = 'roster'): Technician[] {
  const list = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.technicians) ? doc.technicians : undefined;
  if (!list) throw new RosterError(source, [{ index: -1, field: 'technicians', message: 'expected a list of technicians' }]);

  const issues: RosterIssue[] = [];
  const out: Technician[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw: unknown, index: number) => {
    const bad = (field: string, message: string): void => void issues.push({ index, field, message });
    if (!isRecord(raw)) return bad('', 'expected an object');
    const before = issues.length;

    const id = raw.id;
    if (typeof id !== 'string' || !ID.test(id)) bad('id', 'expected 1–64 letters, digits, "_", "-" or "."');
    else if (seen.has(id)) bad('id', `duplicate of technicians[${seen.get(id)}].id "${id}"`);
    else seen.set(id, index);
    for (const f of ['name', 'workNumber'] as const) {
      if (typeof raw[f] !== 'string' || !(raw[f] as string).trim()) bad(f, 'expected a non-empty string');
    }
    if (typeof raw.phone !== 'string' || !E164.test(raw.phone)) bad('phone', 'expected an E.164 number like +8613800138000');

    const skills: string[] = [];
    if (!Array.isArray(raw.skills) || raw.skills.length === 0) bad('skills', 'expected a non-empty list');
    else {
      raw.skills.forEach((s: unknown, i: number) => {
        const v = typeof s === 'string' ? normaliseSkill(s) : undefined;
        if (!v || !SKILL.test(v))
          bad(`skills[${i}]`, 'expected a skill tag like gas or air_conditioner (letters, digits, "_", "-" or spaces)');
        else if (!skills.includes(v)) skills.push(v);
      });
    }
    if (!Number.isInteger(raw.tier) || (raw.tier as number) < 1 || (raw.tier as number) > 3) bad('tier', 'expected 1, 2 or 3');
    if (!isRecord(raw.home)) bad('home', 'expected { lat, lng }');
    else if (!isGeoPoint(raw.home)) {
      const { lat, lng } = raw.home;
      if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90)) bad('home.lat', 'expected a number from -90 to 90');
      if (typeof lng !== 'number' || !(lng >= -180 && lng <= 180)) bad('home.lng', 'expected a number from -180 to 180');
    }
    if (typeof raw.rating !== 'number' || !(raw.rating >= 0 && raw.rating <= 1)) bad('rating', 'expected a number from 0 to 1');
    // Omitted means active: the roster lists people who work here; switching one off is the explicit act.
    if (raw.active !== undefined && typeof raw.active !== 'boolean') bad('active', 'expected true or false');

    if (issues.length > before) return;
    const home = raw.home as { lat: number; lng: number };
    out.push({
      id: id as string,
      name: (raw.name as string).trim(),
      workNumber: (raw.workNumber as string).trim(),
      phone: raw.phone as string,
      skills,
      tier: raw.tier as number,
      home: { lat: home.lat, lng: home.lng },
      rating: raw.rating as number,
      active: raw.active !== false,
    });
  });
  if (issues.length) throw new RosterError(source, issues);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
