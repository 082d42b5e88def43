/**
 * CloudWatch Logs' durable state as records, in the order the changes happened: groups (settings and tags),
 * streams, the events each batch stored, and how many of a stream's oldest events were dropped (retention, the
 * local bounds). A replay applies them in the same order, so it drops the same events.
 */
import type { LogGroupClass, LogGroupRecord, LogStreamRecord, StoredLogEvent } from '../logs/model';
import type { LogsChanges, LogsService } from '../logs/service';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** A group's settings as persisted (key: its name); its streams are records of their own. */
interface GroupValue {
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: LogGroupClass;
  tags: [string, string][];
}

/** Collects the changes of CloudWatch Logs between two journal batches, in order. */
export class LogsRecorder implements LogsChanges, RecordSource {
  private ordered: StateRecord[] = [];

  constructor(
    private readonly logs: LogsService,
    private readonly changed: () => void,
  ) {}

  groupChanged(name: string, group: LogGroupRecord | undefined): void {
    this.push({ svc: 'logs', kind: 'group', key: [name], value: group ? groupValue(group) : null });
  }

  streamChanged(group: string, stream: string, record: LogStreamRecord | undefined): void {
    const value = record ? { creationTime: record.creationTime } : null;
    this.push({ svc: 'logs', kind: 'stream', key: [group, stream], value });
  }

  eventsStored(group: string, stream: LogStreamRecord, events: readonly StoredLogEvent[]): void {
    this.push({ svc: 'logs', kind: 'events', key: [group, stream.name], value: events });
  }

  eventsDropped(group: string, stream: string, count: number): void {
    this.push({ svc: 'logs', kind: 'drop', key: [group, stream], value: { count } });
  }

  drain(out: StateRecord[]): void {
    for (const record of this.ordered) out.push(record);
    this.ordered = [];
  }

  snapshot(out: StateRecord[]): void {
    for (const name of this.logs.logGroupNames()) {
      const group = this.logs.logGroup(name) as LogGroupRecord;
      out.push({ svc: 'logs', kind: 'group', key: [name], value: groupValue(group) });
      for (const stream of group.streams.values()) {
        out.push({
          svc: 'logs',
          kind: 'stream',
          key: [name, stream.name],
          value: { creationTime: stream.creationTime },
        });
        // in slices: a long stream is not one huge line
        for (let i = 0; i < stream.events.length; i += 1000) {
          out.push({
            svc: 'logs',
            kind: 'events',
            key: [name, stream.name],
            value: stream.events.slice(i, i + 1000),
          });
        }
      }
    }
  }

  private push(record: StateRecord): void {
    this.ordered.push(record);
    this.changed();
  }
}

/** Replays CloudWatch Logs' records into `logs` (empty, not yet serving). */
export function restoreLogs(records: readonly StateRecord[], logs: LogsService): void {
  const groups = new Map<string, LogGroupRecord>();
  /** Streams whose events arrived out of eventId order since their last sort. */
  const unsorted = new Set<LogStreamRecord>();
  const sorted = (stream: LogStreamRecord) => {
    if (unsorted.delete(stream)) stream.events.sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    return stream;
  };
  let lastSequence = 0;
  for (const record of records) {
    if (record.svc !== 'logs') continue;
    const name = String(record.key[0]);
    const group = groups.get(name);
    const stream = group?.streams.get(String(record.key[1]));
    switch (record.kind) {
      case 'group': {
        const v = record.value as GroupValue | null;
        if (v === null) groups.delete(name);
        else if (group) {
          group.retentionInDays = v.retentionInDays;
          group.kmsKeyId = v.kmsKeyId;
          group.tags.clear();
          for (const [key, value] of v.tags) group.tags.set(key, value);
        } else {
          groups.set(name, {
            name,
            creationTime: v.creationTime,
            retentionInDays: v.retentionInDays,
            kmsKeyId: v.kmsKeyId,
            logGroupClass: v.logGroupClass,
            tags: new Map(v.tags),
            streams: new Map(),
            eventCount: 0,
            storedBytes: 0,
          });
        }
        break;
      }
      case 'stream': {
        const streamName = String(record.key[1]);
        const v = record.value as { creationTime: number } | null;
        if (v === null) group?.streams.delete(streamName);
        else if (group && !stream)
          group.streams.set(streamName, { name: streamName, creationTime: v.creationTime, events: [] });
        break;
      }
      case 'events': {
        if (!stream) break;
        for (const event of record.value as StoredLogEvent[]) {
          const last = stream.events[stream.events.length - 1];
          if (last !== undefined && last.eventId > event.eventId) unsorted.add(stream);
          stream.events.push(event);
          stream.lastIngestionTime = event.ingestionTime;
          lastSequence = Math.max(lastSequence, Number(event.eventId.slice(16)));
        }
        break;
      }
      case 'drop':
        if (stream) sorted(stream).events.splice(0, (record.value as { count: number }).count);
        break;
      default:
        throw new Error(`unknown record kind logs/${record.kind}`);
    }
  }
  for (const group of groups.values()) {
    for (const stream of group.streams.values()) {
      sorted(stream);
      group.eventCount += stream.events.length;
      for (const event of stream.events) group.storedBytes += event.size;
    }
    logs.adoptLogGroup(group, lastSequence);
  }
}

function groupValue(group: LogGroupRecord): GroupValue {
  return {
    creationTime: group.creationTime,
    retentionInDays: group.retentionInDays,
    kmsKeyId: group.kmsKeyId,
    logGroupClass: group.logGroupClass,
    tags: [...group.tags],
  };
}
