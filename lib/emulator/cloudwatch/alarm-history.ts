/** Alarm history (DescribeAlarmHistory): configuration updates, state updates and actions, kept for 30 days. */

/** AWS: alarm history is kept for 30 days. */
const HISTORY_RETENTION_MS = 30 * 86_400_000;

export interface HistoryEntry {
  readonly alarmName: string;
  readonly timestamp: number;
  readonly type: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  readonly summary: string;
  /** HistoryData: JSON, its dates in CloudWatch's `+0000` form. */
  readonly data: string;
}

export class AlarmHistory {
  private entries: HistoryEntry[] = [];
  /** Told of every entry (persistence: each names an alarm that changed); undefined without `--state-dir`. */
  listener: ((entry: HistoryEntry) => void) | undefined;

  add(
    alarmName: string,
    timestamp: number,
    type: HistoryEntry['type'],
    summary: string,
    data: unknown,
  ): void {
    const entry = historyItem(alarmName, timestamp, type, summary, data);
    this.entries.push(entry);
    this.listener?.(entry);
  }

  /** An entry written out earlier (before the change it records was made). */
  push(entry: HistoryEntry): void {
    this.entries.push(entry);
    this.listener?.(entry);
  }

  /** The entries of the last 30 days, oldest first. */
  current(now: number): readonly HistoryEntry[] {
    this.prune(now);
    return this.entries;
  }

  prune(now: number): void {
    const first = this.entries.findIndex((h) => h.timestamp >= now - HISTORY_RETENTION_MS);
    if (first > 0) this.entries = this.entries.slice(first);
    else if (first < 0) this.entries = [];
  }
}

export function historyItem(
  alarmName: string,
  timestamp: number,
  type: HistoryEntry['type'],
  summary: string,
  data: unknown,
): HistoryEntry {
  return { alarmName, timestamp, type, summary, data: JSON.stringify(data, dateAsCloudWatchTime) };
}

// the pattern is anchored and of fixed width: it gives up within 24 characters of any string, however long
function dateAsCloudWatchTime(this: unknown, _key: string, value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)
    ? value.replace('Z', '+0000')
    : value;
}
