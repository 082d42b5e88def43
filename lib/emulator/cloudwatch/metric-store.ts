/**
 * CloudWatch metric storage: pure data, no I/O, times passed in by the caller. Each metric (namespace, name,
 * dimensions) keeps one aggregate per minute (per second for high-resolution data) and unit: sample count, sum,
 * minimum, maximum and, while they stay exact, the raw values for percentiles. Queries aggregate those buckets
 * into periods, as CloudWatch does.
 */

export interface MetricDimension {
  readonly Name: string;
  readonly Value: string;
}

/** One metric's identity, as ListMetrics returns it. */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  /** Sorted by name. */
  readonly dimensions: readonly MetricDimension[];
}

/** A sample to store: plain values (each with a count) or a statistic set. */
export type MetricSample =
  | { readonly values: readonly number[]; readonly counts?: readonly number[] }
  | {
      readonly sampleCount: number;
      readonly sum: number;
      readonly minimum: number;
      readonly maximum: number;
    };

/** The aggregate of the data in one period. */
export interface PeriodAggregate {
  /** Start of the period, epoch ms. */
  readonly timestamp: number;
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  /** The unit of the data, `None` when none was given; `None` as well when several units mix. */
  readonly unit: string;
  /** The p-th percentile (0..100), or undefined when it cannot be computed (statistic sets, negative values). */
  percentile(p: number): number | undefined;
}

/** AWS: one-minute data is kept 15 days (the emulator keeps every resolution that long). */
export const RETENTION_MS = 15 * 86_400_000;

/** One stored bucket's aggregate, as persistence writes and merges it (`values`/`counts` absent: no percentiles). */
export interface BucketState {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly values?: readonly number[];
  readonly counts?: readonly number[];
}

/** Told of every datum stored and every prune (persistence, `--state-dir`). */
export interface MetricStoreListener {
  metricPut(
    identity: MetricIdentity,
    timestamp: number,
    unit: string,
    sample: MetricSample,
    highResolution: boolean,
    now: number,
  ): void;
  metricsPruned(before: number): void;
}

class Bucket {
  sampleCount = 0;
  sum = 0;
  minimum = Infinity;
  maximum = -Infinity;
  /** Raw values and their counts, while percentiles can be computed exactly. */
  values: number[] | undefined = [];
  counts: number[] | undefined = [];

  add(sample: MetricSample): void {
    if ('values' in sample) {
      sample.values.forEach((value, i) => {
        const count = sample.counts?.[i] ?? 1;
        if (count <= 0) return;
        this.sampleCount += count;
        this.sum += value * count;
        if (value < this.minimum) this.minimum = value;
        if (value > this.maximum) this.maximum = value;
        this.keep(value, count);
      });
      return;
    }
    this.sampleCount += sample.sampleCount;
    this.sum += sample.sum;
    if (sample.minimum < this.minimum) this.minimum = sample.minimum;
    if (sample.maximum > this.maximum) this.maximum = sample.maximum;
    // AWS: percentiles of a statistic set exist only when it holds one value (count 1, or minimum = maximum)
    if (sample.sampleCount === 1 || sample.minimum === sample.maximum)
      this.keep(sample.minimum, sample.sampleCount);
    else this.values = this.counts = undefined;
  }

  private keep(value: number, count: number): void {
    // AWS: percentiles are not available when any value is negative
    if (value < 0 || this.values === undefined || this.counts === undefined) {
      this.values = this.counts = undefined;
      return;
    }
    this.values.push(value);
    this.counts.push(count);
  }

  /** Adds another bucket's aggregate (a restore): the same as having added its samples here. */
  merge(state: BucketState): void {
    this.sampleCount += state.sampleCount;
    this.sum += state.sum;
    if (state.minimum < this.minimum) this.minimum = state.minimum;
    if (state.maximum > this.maximum) this.maximum = state.maximum;
    if (this.values === undefined || this.counts === undefined || state.values === undefined) {
      this.values = this.counts = undefined;
    } else {
      this.values.push(...state.values);
      this.counts.push(...(state.counts ?? state.values.map(() => 1)));
    }
  }
}

/** The buckets of one unit of one metric, ordered by time. */
class UnitSeries {
  readonly times: number[] = [];
  readonly buckets = new Map<number, Bucket>();

  bucket(at: number): Bucket {
    let bucket = this.buckets.get(at);
    if (bucket === undefined) {
      bucket = new Bucket();
      this.buckets.set(at, bucket);
      // usually the newest bucket: append; data for the past is inserted in order
      let i = this.times.length;
      while (i > 0 && this.times[i - 1] > at) i--;
      this.times.splice(i, 0, at);
    }
    return bucket;
  }

  /** Index of the first bucket at or after `at`. */
  firstFrom(at: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  pruneBefore(at: number): void {
    const n = this.firstFrom(at);
    for (let i = 0; i < n; i++) this.buckets.delete(this.times[i]);
    this.times.splice(0, n);
  }
}

class Metric {
  readonly units = new Map<string, UnitSeries>();
  lastPutAt = 0;
  constructor(readonly identity: MetricIdentity) {}
}

export class MetricStore {
  private readonly metrics = new Map<string, Metric>();
  /** Persistence's listener; undefined without `--state-dir`. */
  listener: MetricStoreListener | undefined;

  /** Stores one datum. `highResolution` (StorageResolution 1) keeps it per second instead of per minute. */
  put(
    identity: MetricIdentity,
    timestamp: number,
    unit: string,
    sample: MetricSample,
    highResolution: boolean,
    now: number,
  ): void {
    const series = this.seriesOf(identity, unit, now);
    const resolution = highResolution ? 1000 : 60_000;
    series.bucket(Math.floor(timestamp / resolution) * resolution).add(sample);
    this.listener?.metricPut(identity, timestamp, unit, sample, highResolution, now);
  }

  /** The series of `unit` of the metric, both made on first use; the metric's last put moves to `putAt`. */
  private seriesOf(identity: MetricIdentity, unit: string, putAt: number): UnitSeries {
    const key = metricKey(identity.namespace, identity.metricName, identity.dimensions);
    let metric = this.metrics.get(key);
    if (metric === undefined) {
      metric = new Metric({ ...identity, dimensions: sortDimensions(identity.dimensions) });
      this.metrics.set(key, metric);
    }
    metric.lastPutAt = Math.max(metric.lastPutAt, putAt);
    let series = metric.units.get(unit);
    if (series === undefined) {
      series = new UnitSeries();
      metric.units.set(unit, series);
    }
    return series;
  }

  /** Every stored bucket, metric by metric (persistence). */
  *buckets(): Generator<{
    readonly identity: MetricIdentity;
    readonly lastPutAt: number;
    readonly unit: string;
    readonly time: number;
    readonly state: BucketState;
  }> {
    for (const metric of this.metrics.values()) {
      for (const [unit, series] of metric.units) {
        for (const time of series.times) {
          const state = series.buckets.get(time) as Bucket;
          yield { identity: metric.identity, lastPutAt: metric.lastPutAt, unit, time, state };
        }
      }
    }
  }

  /** Restore: merges a persisted bucket at its exact time (a minute, or a second for high-resolution data). */
  adoptBucket(
    identity: MetricIdentity,
    lastPutAt: number,
    unit: string,
    time: number,
    state: BucketState,
  ): void {
    this.seriesOf(identity, unit, lastPutAt).bucket(time).merge(state);
  }

  /**
   * Aggregates a metric into periods of `periodSeconds` starting at `start`, up to `end` (exclusive), keeping only
   * periods that hold data. `unit` keeps only data stored with that unit. Walks the stored buckets, never the empty
   * periods between them: the work depends on the data kept, not on how wide the range is.
   */
  aggregate(
    namespace: string,
    metricName: string,
    dimensions: readonly MetricDimension[],
    start: number,
    end: number,
    periodSeconds: number,
    unit?: string,
  ): PeriodAggregate[] {
    const metric = this.metrics.get(metricKey(namespace, metricName, dimensions));
    if (metric === undefined) return [];
    const periodMs = periodSeconds * 1000;
    // the buckets in range, by period index; each unit's buckets are in time order already
    const periods = new Map<number, { parts: Bucket[]; units: Set<string> }>();
    for (const [u, s] of metric.units) {
      if (unit !== undefined && u !== unit) continue;
      for (let i = s.firstFrom(start); i < s.times.length && s.times[i] < end; i++) {
        const index = Math.floor((s.times[i] - start) / periodMs);
        let period = periods.get(index);
        if (period === undefined) {
          period = { parts: [], units: new Set() };
          periods.set(index, period);
        }
        period.parts.push(s.buckets.get(s.times[i]) as Bucket);
        period.units.add(u);
      }
    }
    return [...periods.keys()]
      .sort((a, b) => a - b)
      .map((index) => {
        const { parts, units } = periods.get(index) as { parts: Bucket[]; units: Set<string> };
        return combine(start + index * periodMs, parts, units.size === 1 ? [...units][0] : 'None');
      });
  }

  /** Metrics matching the filter, sorted by namespace, name and dimensions. `activeSince` keeps recent ones. */
  list(filter: {
    namespace?: string;
    metricName?: string;
    dimensions?: readonly { Name: string; Value?: string }[];
    activeSince?: number;
  }): MetricIdentity[] {
    const out: MetricIdentity[] = [];
    for (const metric of this.metrics.values()) {
      const { identity } = metric;
      if (filter.namespace !== undefined && identity.namespace !== filter.namespace) continue;
      if (filter.metricName !== undefined && identity.metricName !== filter.metricName) continue;
      if (filter.activeSince !== undefined && metric.lastPutAt < filter.activeSince) continue;
      const wanted = filter.dimensions ?? [];
      if (
        !wanted.every((w) =>
          identity.dimensions.some(
            (d) => d.Name === w.Name && (w.Value === undefined || d.Value === w.Value),
          ),
        )
      ) {
        continue;
      }
      out.push(identity);
    }
    return out.sort((a, b) => {
      const ka = metricKey(a.namespace, a.metricName, a.dimensions);
      const kb = metricKey(b.namespace, b.metricName, b.dimensions);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /** Drops data older than `before` (epoch ms); a metric with no data left disappears from ListMetrics. */
  pruneBefore(before: number): void {
    this.listener?.metricsPruned(before);
    for (const [key, metric] of this.metrics) {
      for (const [unit, series] of metric.units) {
        series.pruneBefore(before);
        if (series.times.length === 0) metric.units.delete(unit);
      }
      if (metric.units.size === 0) this.metrics.delete(key);
    }
  }
}

function combine(timestamp: number, parts: Bucket[], unit: string): PeriodAggregate {
  let sampleCount = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  let exact = true;
  for (const b of parts) {
    sampleCount += b.sampleCount;
    sum += b.sum;
    if (b.minimum < minimum) minimum = b.minimum;
    if (b.maximum > maximum) maximum = b.maximum;
    if (b.values === undefined) exact = false;
  }
  return {
    timestamp,
    sampleCount,
    sum,
    minimum,
    maximum,
    unit,
    percentile: (p) => (exact ? percentileOf(parts, p) : undefined),
  };
}

/** Nearest-rank percentile over weighted values. */
function percentileOf(parts: Bucket[], p: number): number | undefined {
  const pairs: [number, number][] = [];
  let total = 0;
  for (const b of parts) {
    (b.values as number[]).forEach((v, i) => {
      const c = (b.counts as number[])[i];
      pairs.push([v, c]);
      total += c;
    });
  }
  if (total === 0) return undefined;
  pairs.sort((a, b) => a[0] - b[0]);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, c] of pairs) {
    seen += c;
    if (seen >= rank) return v;
  }
  return pairs[pairs.length - 1][0];
}

export function sortDimensions(dimensions: readonly MetricDimension[]): MetricDimension[] {
  return [...dimensions]
    .map((d) => ({ Name: d.Name, Value: d.Value }))
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** The identity key of a metric: dimensions in any order name the same metric. */
export function metricKey(
  namespace: string,
  metricName: string,
  dimensions: readonly MetricDimension[],
): string {
  const dims = sortDimensions(dimensions)
    .map((d) => `${d.Name}\u0001${d.Value}`)
    .join('\u0002');
  return `${namespace}\u0000${metricName}\u0000${dims}`;
}
