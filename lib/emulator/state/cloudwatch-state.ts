/**
 * CloudWatch's durable state as records: each alarm (configuration, state and its times, tags), the alarm
 * history of the last 30 days, and the metrics' datapoints. Every change of an alarm writes a history entry, which
 * is the hook. Metrics are journaled as what each batch added, one record per metric: the aggregate of each
 * minute (or second) bucket it touched, never one record per datum (a burst of PutMetricData on one metric is one
 * record, the AWS/SQS metrics of a queue a few records a minute); a replay merges them, and keeps the 15 days of
 * retention the store keeps.
 */
import type { HistoryEntry } from '../cloudwatch/alarm-history';
import type { Alarm } from '../cloudwatch/alarm-validation';
import {
  type BucketState,
  type MetricIdentity,
  type MetricSample,
  MetricStore,
  type MetricStoreListener,
  RETENTION_MS,
} from '../cloudwatch/metric-store';
import type { CloudWatchChanges, CloudWatchService } from '../cloudwatch/service';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** An alarm as persisted (key: its name). */
type AlarmValue = Omit<Alarm, 'tags'> & { tags: [string, string][] };

/**
 * A bucket as persisted: `[time, sampleCount, sum, minimum, maximum]` when it holds one distinct value (its
 * minimum, `sampleCount` times: the usual case), else followed by its values and counts, or by null when
 * percentiles cannot be computed.
 */
type BucketValue =
  | [number, number, number, number, number]
  | [number, number, number, number, number, number[], number[]]
  | [number, number, number, number, number, null];

/**
 * A metric's datapoints as persisted (key: namespace, metric name, then each dimension's name and value, sorted):
 * when it was last put to (ListMetrics' RecentlyActive), and buckets by unit.
 */
interface MetricValue {
  at: number;
  units: Record<string, BucketValue[]>;
}

/** Collects the alarms changed, the history written and the datapoints stored between two journal batches. */
export class CloudWatchRecorder implements CloudWatchChanges, MetricStoreListener, RecordSource {
  private changedAlarms = new Set<string>();
  private history: HistoryEntry[] = [];
  /** What was put since the last drain, aggregated as the store aggregates it. */
  private pending = new MetricStore();
  private pendingCount = 0;
  /** Prunes since the last drain (retention, a reset): written before the datapoints that follow them. */
  private prunes: number[] = [];

  constructor(
    private readonly cloudwatch: CloudWatchService,
    private readonly changed: () => void,
  ) {}

  historyAdded(entry: HistoryEntry): void {
    this.history.push(entry);
    this.changedAlarms.add(entry.alarmName);
    this.changed();
  }

  alarmChanged(name: string): void {
    this.changedAlarms.add(name);
    this.changed();
  }

  metricPut(
    identity: MetricIdentity,
    timestamp: number,
    unit: string,
    sample: MetricSample,
    highResolution: boolean,
    now: number,
  ): void {
    this.pending.put(identity, timestamp, unit, sample, highResolution, now);
    this.pendingCount++;
    this.changed();
  }

  metricsPruned(before: number): void {
    // datapoints of this batch older than the prune went with it
    this.pending.pruneBefore(before);
    this.prunes.push(before);
    this.changed();
  }

  drain(out: StateRecord[]): void {
    for (const name of this.changedAlarms) out.push(this.recordOf(name));
    for (const entry of this.history) out.push({ svc: 'cloudwatch', kind: 'history', key: [], value: entry });
    this.changedAlarms = new Set();
    this.history = [];
    for (const before of this.prunes) out.push(pruneRecord(before));
    this.prunes = [];
    if (this.pendingCount > 0) metricRecords(this.pending, out);
    this.pending = new MetricStore();
    this.pendingCount = 0;
  }

  snapshot(out: StateRecord[]): void {
    for (const alarm of this.cloudwatch.alarmList()) out.push(this.recordOf(alarm.config.name));
    for (const entry of this.cloudwatch.historyEntries()) {
      out.push({ svc: 'cloudwatch', kind: 'history', key: [], value: entry });
    }
    metricRecords(this.cloudwatch.store, out);
  }

  private recordOf(name: string): StateRecord {
    const alarm = this.cloudwatch.alarmState(name);
    const value: AlarmValue | null = alarm ? { ...alarm, tags: [...alarm.tags] } : null;
    return { svc: 'cloudwatch', kind: 'alarm', key: [name], value };
  }
}

/** Replays CloudWatch's records into `cloudwatch` (empty, not yet serving). */
export function restoreCloudWatch(records: readonly StateRecord[], cloudwatch: CloudWatchService): void {
  const alarms = new Map<string, AlarmValue>();
  const history: HistoryEntry[] = [];
  const store = cloudwatch.store;
  for (const record of records) {
    if (record.svc !== 'cloudwatch') continue;
    if (record.kind === 'alarm') {
      const name = String(record.key[0]);
      if (record.value === null) alarms.delete(name);
      else alarms.set(name, record.value as AlarmValue);
    } else if (record.kind === 'history') history.push(record.value as HistoryEntry);
    else if (record.kind === 'metric') adoptMetric(store, record);
    else if (record.kind === 'metric-prune') store.pruneBefore((record.value as { before: number }).before);
    else throw new Error(`unknown record kind cloudwatch/${record.kind}`);
  }
  // what passed the retention while the emulator was down
  store.pruneBefore(cloudwatch.clock.now() - RETENTION_MS);
  cloudwatch.adoptAlarms(
    [...alarms.values()].map((value) => ({ ...value, tags: new Map(value.tags) })),
    history,
  );
}

function pruneRecord(before: number): StateRecord {
  // a reset prunes everything: Infinity is not JSON
  return {
    svc: 'cloudwatch',
    kind: 'metric-prune',
    key: [],
    value: { before: Math.min(before, Number.MAX_VALUE) },
  };
}

/** One record per metric of `store`: its buckets by unit. */
function metricRecords(store: MetricStore, out: StateRecord[]): void {
  let current: { identity: MetricIdentity; value: MetricValue } | undefined;
  const flush = () => {
    if (current)
      out.push({
        svc: 'cloudwatch',
        kind: 'metric',
        key: metricKeyOf(current.identity),
        value: current.value,
      });
  };
  for (const { identity, lastPutAt, unit, time, state } of store.buckets()) {
    // a datum with a count of 0 leaves an empty bucket: nothing to keep (its minimum is not JSON)
    if (state.sampleCount <= 0) continue;
    if (current?.identity !== identity) {
      flush();
      current = { identity, value: { at: lastPutAt, units: {} } };
    }
    (current.value.units[unit] ??= []).push(bucketValue(time, state));
  }
  flush();
}

function metricKeyOf(identity: MetricIdentity): (string | number)[] {
  return [identity.namespace, identity.metricName, ...identity.dimensions.flatMap((d) => [d.Name, d.Value])];
}

function bucketValue(time: number, s: BucketState): BucketValue {
  const head: [number, number, number, number, number] = [time, s.sampleCount, s.sum, s.minimum, s.maximum];
  if (s.values === undefined || s.counts === undefined) return [...head, null];
  if (s.values.length === 1 && s.values[0] === s.minimum && s.counts[0] === s.sampleCount) return head;
  return [...head, [...s.values], [...s.counts]];
}

function adoptMetric(store: MetricStore, record: StateRecord): void {
  const [namespace, metricName, ...pairs] = record.key.map(String);
  const dimensions = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) dimensions.push({ Name: pairs[i], Value: pairs[i + 1] });
  const identity: MetricIdentity = { namespace, metricName, dimensions };
  const value = record.value as MetricValue;
  for (const [unit, buckets] of Object.entries(value.units)) {
    for (const [time, sampleCount, sum, minimum, maximum, values, counts] of buckets) {
      const state: BucketState =
        values === undefined
          ? { sampleCount, sum, minimum, maximum, values: [minimum], counts: [sampleCount] }
          : { sampleCount, sum, minimum, maximum, values: values ?? undefined, counts: counts ?? undefined };
      store.adoptBucket(identity, value.at, unit, time, state);
    }
  }
}
