/**
 * Bearer tokens for a benchmark stack. The API rate-limits per token (1,200 requests a minute), so a load
 * generator that stands for many integrations / technicians rotates over many tokens; each technician gets
 * several tokens of their own (technician routes check the token's technicianId).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';

interface TokenEntry {
  token: string;
  role: 'integration' | 'ops' | 'technician';
  name: string;
  technicianId?: string;
  idPrefix?: string;
}

/** FNV-1a: a stable spread of external ids over the integration tokens. */
function spread(key: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % n;
}

export class BenchTokens {
  private i = 0;
  private o = 0;
  private readonly t = new Map<string, number>();
  private constructor(
    readonly file: string,
    readonly integrationTokens: readonly string[],
    private readonly opsTokens: string[],
    private readonly technicianTokens: Map<string, string[]>,
  ) {}

  /** Writes the token file: `integrations` integration tokens, 8 ops tokens, `perTechnician` per roster technician. */
  static create(file: string, rosterFile: string, opts: { integrations?: number; perTechnician?: number } = {}): BenchTokens {
    const salt = randomBytes(6).toString('hex');
    const entries: TokenEntry[] = [];
    const integ: string[] = [];
    for (let k = 0; k < (opts.integrations ?? 64); k++) {
      const token = `bench-integration-${k}-${salt}`;
      integ.push(token);
      entries.push({ token, role: 'integration', name: `bench integration ${k}`, idPrefix: `b${k}` });
    }
    const ops: string[] = [];
    for (let k = 0; k < 8; k++) {
      const token = `bench-ops-${k}-${salt}-0000`;
      ops.push(token);
      entries.push({ token, role: 'ops', name: `bench ops ${k}` });
    }
    const techs = new Map<string, string[]>();
    for (const id of rosterIds(rosterFile)) {
      const list: string[] = [];
      for (let k = 0; k < (opts.perTechnician ?? 16); k++) {
        const token = `bench-tech-${id}-${k}-${salt}`;
        list.push(token);
        entries.push({ token, role: 'technician', technicianId: id, name: `technician ${id} (bench ${k})` });
      }
      techs.set(id, list);
    }
    writeFileSync(file, JSON.stringify(entries, null, 1));
    return new BenchTokens(file, integ, ops, techs);
  }

  integration(): string {
    return this.integrationTokens[this.i++ % this.integrationTokens.length] as string;
  }

  /**
   * Request ids are per integration (`sr-<idPrefix>-<externalId>`): one external id always goes through the same
   * integration token, so its repeats reach the same request.
   */
  integrationFor(externalId: string): string {
    return this.integrationTokens[spread(externalId, this.integrationTokens.length)] as string;
  }

  /** The request id the API gives `externalId` when it is started through integrationFor(externalId). */
  requestId(externalId: string): string {
    return `sr-b${spread(externalId, this.integrationTokens.length)}-${externalId}`;
  }

  ops(): string {
    return this.opsTokens[this.o++ % this.opsTokens.length] as string;
  }

  technician(id: string): string {
    const list = this.technicianTokens.get(id);
    if (!list) throw new Error(`no bench token for technician ${id}`);
    const n = this.t.get(id) ?? 0;
    this.t.set(id, n + 1);
    return list[n % list.length] as string;
  }
}

export function rosterIds(rosterFile: string): string[] {
  const doc = YAML.parse(readFileSync(rosterFile, 'utf8')) as { technicians?: { id: string }[] } | null;
  return (doc?.technicians ?? []).map((t) => t.id);
}
