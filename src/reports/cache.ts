/**
 * Bounded cost for the daily report over HTTP: reading a day means one visibility list plus a query or result
 * per request of that day, so repeated calls share one answer. A day still in progress is reused for
 * `currentTtlMs`, a past day for `pastTtlMs` (late transitions still change it, but slowly); concurrent calls for
 * the same day wait for the one in flight. Failures are not cached.
 */
import type { DailyReportResult, ReportSource } from './fetch';

export interface ReportCacheOptions {
  currentTtlMs?: number;
  pastTtlMs?: number;
  /** Days kept at most (oldest dropped first). */
  maxDays?: number;
  now?: () => number;
  /** The local date today in the source's zone (the route's default date). */
  today: () => string;
}

export function cachedReportSource(source: ReportSource, o: ReportCacheOptions): ReportSource {
  const now = o.now ?? Date.now;
  const maxDays = o.maxDays ?? 60;
  const entries = new Map<string, { at: number; value: Promise<DailyReportResult> }>();
  return {
    timeZone: source.timeZone,
    daily(date) {
      const ttl = date >= o.today() ? (o.currentTtlMs ?? 60_000) : (o.pastTtlMs ?? 600_000);
      const hit = entries.get(date);
      if (hit && now() - hit.at < ttl) return hit.value;
      const value = source.daily(date);
      entries.delete(date);
      entries.set(date, { at: now(), value });
      value.catch(() => {
        if (entries.get(date)?.value === value) entries.delete(date);
      });
      while (entries.size > maxDays) entries.delete(entries.keys().next().value as string);
      return value;
    },
  };
}
