/** Weekly, monthly and appraisal reports of fixed content (the route tests and the fuzzed full app); `asked` records each period asked for. */
import type { AppraisalReport } from '../../src/reports/appraisal';
import type { PeriodReportSource } from '../../src/reports/database';
import { periodBounds, type PeriodKind, type PeriodReport } from '../../src/reports/period';

export function fakePeriodReports(TZ: string, asked: string[] = []): PeriodReportSource {
  const period = (kind: PeriodKind, p: string): PeriodReport => {
    asked.push(p);
    const line = { key: '广东省深圳市', requests: 2, repairs: 2, resolved: 1, charged: 5000, rated: 1, averageScore: 4 };
    return {
      ...periodBounds(kind, p, TZ),
      generatedAt: 'x',
      source: 'database',
      totals: { received: 2, closed: 1, resolved: 1, cancelled: 0, vip: 0 },
      sla: { on_site: { met: 1, breached: 1, complianceRate: 0.5 } },
      times: {
        acceptMinutes: { count: 1, average: 10 },
        responseMinutes: { count: 0, average: null },
        arrivalMinutes: { count: 1, average: 60 },
      },
      firstTimeFix: { visited: 1, fixedFirstVisit: 1, repeated: 0, rate: 1 },
      repeatRepairs: 0,
      complaints: { total: 0, byClass: {} },
      satisfaction: { rated: 1, averageScore: 4, lowScores: 0, lowScoreShare: 0 },
      charges: { total: 5000, currency: 'CNY' },
      byProductModel: [{ ...line, key: 'X1', category: 'aircon' }],
      byFaultCause: [],
      byRegion: [line],
      byChannel: [],
      byType: [],
      frequentProblems: [{ productModel: 'X1', faultCause: 'quality', requests: 2 }],
    };
  };
  return {
    timeZone: TZ,
    weekly: async (w) => period('week', w),
    monthly: async (m) => period('month', m),
    appraisal: async (m): Promise<AppraisalReport> => {
      asked.push(m);
      return {
        ...periodBounds('month', m, TZ),
        generatedAt: 'x',
        source: 'database',
        technicians: [
          {
            technicianId: 't1',
            satisfaction: { rated: 1, averageScore: 5, lowScores: 0 },
            accept: { count: 1, averageMinutes: 10 },
            arrival: { onTime: 1, late: 0, onTimeRate: 1, averageMinutes: 60 },
            firstTimeFix: { visited: 1, fixedFirstVisit: 1, rate: 1 },
            repeatRepairs: { fixes: 1, repeated: 0, rate: 0 },
            complaints: 0,
            records: { known: 1, complete: 1, rate: 1 },
          },
        ],
      };
    },
  };
}
