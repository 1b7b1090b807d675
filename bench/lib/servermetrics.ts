/**
 * The dev server's Prometheus endpoint, reduced to "where the server's time goes": frontend calls and
 * persistence operations (count and total latency) per operation, as a difference between two scrapes.
 */
export interface OpStat {
  count: number;
  totalMs: number;
}
export interface ServerMetrics {
  frontend: Record<string, OpStat>;
  persistence: Record<string, OpStat>;
}

const LINE = /^(\w+)\{([^}]*)\}\s+(\S+)$/;

export async function scrapeServerMetrics(port: number): Promise<ServerMetrics> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m: ServerMetrics = { frontend: {}, persistence: {} };
  const bump = (rec: Record<string, OpStat>, op: string, field: keyof OpStat, v: number): void => {
    const s = (rec[op] ??= { count: 0, totalMs: 0 });
    s[field] += v;
  };
  for (const line of text.split('\n')) {
    const x = LINE.exec(line);
    if (!x) continue;
    const [, name, labels, value] = x as unknown as [string, string, string, string];
    const op = /operation="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const service = /service_name="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const v = Number(value);
    if (!Number.isFinite(v)) continue;
    if (service === 'frontend' && name === 'service_latency_count') bump(m.frontend, op, 'count', v);
    else if (service === 'frontend' && name === 'service_latency_sum') bump(m.frontend, op, 'totalMs', v * 1000);
    else if (name === 'persistence_latency_count') bump(m.persistence, op, 'count', v);
    else if (name === 'persistence_latency_sum') bump(m.persistence, op, 'totalMs', v * 1000);
  }
  return m;
}

/** after − before, per operation, sorted by total time; `per` divides (e.g. per request). */
export function diffServerMetrics(
  before: ServerMetrics,
  after: ServerMetrics,
  per = 1,
  top = 12,
): { frontend: [string, OpStat][]; persistence: [string, OpStat][] } {
  const d = (a: Record<string, OpStat>, b: Record<string, OpStat>): [string, OpStat][] =>
    Object.entries(b)
      .map(([op, s]): [string, OpStat] => [
        op,
        { count: (s.count - (a[op]?.count ?? 0)) / per, totalMs: (s.totalMs - (a[op]?.totalMs ?? 0)) / per },
      ])
      .filter(([, s]) => s.count > 0)
      .sort((x, y) => y[1].totalMs - x[1].totalMs)
      .slice(0, top)
      .map(([op, s]) => [op, { count: Math.round(s.count * 100) / 100, totalMs: Math.round(s.totalMs * 100) / 100 }]);
  return { frontend: d(before.frontend, after.frontend), persistence: d(before.persistence, after.persistence) };
}
