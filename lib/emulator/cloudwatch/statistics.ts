/** CloudWatch statistics: the five simple ones and percentiles (`p90`, `p99.9`), applied to a period's aggregate. */
import type { PeriodAggregate } from './metric-store';

export const SIMPLE_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type SimpleStatistic = (typeof SIMPLE_STATISTICS)[number];

/** Linear on any input: anchored, every repetition bounded (a match is at most 15 characters long). */
const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$/;

export function isSimpleStatistic(name: string): name is SimpleStatistic {
  return (SIMPLE_STATISTICS as readonly string[]).includes(name);
}

/** The percentile a `pNN(.NN)` statistic names, or undefined if it is not one. */
export function percentileOf(name: string): number | undefined {
  const match = PERCENTILE.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Whether the emulator can compute this statistic (`Stat` of a MetricStat, `ExtendedStatistic`). */
export function isSupportedStatistic(name: string): boolean {
  return isSimpleStatistic(name) || percentileOf(name) !== undefined;
}

/** The statistic's value for one period, or undefined when it has none (a percentile of a statistic set). */
export function statisticValue(aggregate: PeriodAggregate, statistic: string): number | undefined {
  switch (statistic) {
    case 'SampleCount':
      return aggregate.sampleCount;
    case 'Average':
      return aggregate.sum / aggregate.sampleCount;
    case 'Sum':
      return aggregate.sum;
    case 'Minimum':
      return aggregate.minimum;
    case 'Maximum':
      return aggregate.maximum;
    default: {
      const p = percentileOf(statistic);
      return p === undefined ? undefined : aggregate.percentile(p);
    }
  }
}
