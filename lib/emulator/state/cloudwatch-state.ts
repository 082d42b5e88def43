/**
 * CloudWatch's durable state as records: each alarm (configuration, state and its times, tags) and the alarm
 * history of the last 30 days. Every change of an alarm writes a history entry, which is the hook. Metrics are
 * not kept: a restored alarm evaluates what is published after the restart.
 */
import type { HistoryEntry } from '../cloudwatch/alarm-history';
import type { Alarm } from '../cloudwatch/alarm-validation';
import type { CloudWatchChanges, CloudWatchService } from '../cloudwatch/service';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** An alarm as persisted (key: its name). */
type AlarmValue = Omit<Alarm, 'tags'> & { tags: [string, string][] };

/** Collects the alarms changed and the history written between two journal batches. */
export class CloudWatchRecorder implements CloudWatchChanges, RecordSource {
  private changedAlarms = new Set<string>();
  private history: HistoryEntry[] = [];

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

  drain(out: StateRecord[]): void {
    for (const name of this.changedAlarms) out.push(this.recordOf(name));
    for (const entry of this.history) out.push({ svc: 'cloudwatch', kind: 'history', key: [], value: entry });
    this.changedAlarms = new Set();
    this.history = [];
  }

  snapshot(out: StateRecord[]): void {
    for (const alarm of this.cloudwatch.alarmList()) out.push(this.recordOf(alarm.config.name));
    for (const entry of this.cloudwatch.historyEntries()) {
      out.push({ svc: 'cloudwatch', kind: 'history', key: [], value: entry });
    }
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
  for (const record of records) {
    if (record.svc !== 'cloudwatch') continue;
    if (record.kind === 'alarm') {
      const name = String(record.key[0]);
      if (record.value === null) alarms.delete(name);
      else alarms.set(name, record.value as AlarmValue);
    } else if (record.kind === 'history') history.push(record.value as HistoryEntry);
    else throw new Error(`unknown record kind cloudwatch/${record.kind}`);
  }
  cloudwatch.adoptAlarms(
    [...alarms.values()].map((value) => ({ ...value, tags: new Map(value.tags) })),
    history,
  );
}
