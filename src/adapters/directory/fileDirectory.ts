import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Technician } from '../../domain/dispatch';
import type { TechnicianDirectory } from './types';
import { parseRoster, RosterError } from './validate';

export interface FileDirectoryOptions {
  /**
   * Called when a changed roster fails to load after an earlier load succeeded. The directory then keeps
   * serving the last good roster: a typo in an edit must not stop dispatching (deadlines keep running),
   * but ops must hear of it.
   */
  onReloadError?: (err: Error) => void;
}

/**
 * Technician roster from a JSON or YAML file (AFTERCARE_TECHNICIANS → Config.techniciansFile). Re-reads
 * the file when its mtime or size changes, so ops can edit it without restarting workers.
 */
export class FileDirectory implements TechnicianDirectory {
  private roster: Technician[] | undefined;
  private byId = new Map<string, Technician>();
  private stamp = '';
  private loading: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly opts: FileDirectoryOptions = {},
  ) {}

  async list(): Promise<Technician[]> {
    await this.refresh();
    // Copies: callers may sort or filter without touching the cache.
    return (this.roster ?? []).map(clone);
  }

  async get(id: string): Promise<Technician | null> {
    await this.refresh();
    const t = this.byId.get(id);
    return t ? clone(t) : null;
  }

  private refresh(): Promise<void> {
    // One reload at a time; concurrent callers share it.
    this.loading ??= this.reloadIfChanged().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async reloadIfChanged(): Promise<void> {
    try {
      const st = await stat(this.path);
      const stamp = `${st.mtimeMs}:${st.size}`;
      if (this.roster && stamp === this.stamp) return;
      const roster = parseRoster(parseFile(this.path, await readFile(this.path, 'utf8')), this.path);
      this.roster = roster;
      this.byId = new Map(roster.map((t) => [t.id, t]));
      this.stamp = stamp;
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (!this.roster) throw err;
      this.opts.onReloadError?.(err);
    }
  }
}

function parseFile(path: string, text: string): unknown {
  try {
    // YAML is a superset of JSON, but JSON.parse gives the sharper message for a .json file.
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new RosterError(path, [
      { index: -1, field: 'file', message: `not valid ${extname(path).slice(1) || 'YAML'}: ${(e as Error).message}` },
    ]);
  }
}

function clone(t: Technician): Technician {
  return { ...t, skills: [...t.skills], home: { ...t.home } };
}
