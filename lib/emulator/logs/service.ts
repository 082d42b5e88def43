/**
 * CloudWatch Logs: log groups (retention, tags, class), log streams, PutLogEvents with AWS's batch rules,
 * GetLogEvents with its forward and backward tokens, and FilterLogEvents across streams with filter patterns
 * (filter-pattern.ts). One method per AWS operation, SDK shapes in and out. Lambda writes its functions' output
 * here through {@link LogsService.ingest}, as the Lambda service does on AWS.
 *
 * Memory stays bounded: a group keeps its latest {@link MAX_EVENTS_PER_GROUP} events (the oldest go first), and
 * retention is applied on the emulator's clock whenever a group is read or written.
 *
 * Not emulated: metric filters, subscription filters, Logs Insights queries, exports, data protection, deliveries
 * and cross-account observability (those operations answer that they are not emulated).
 */
import type {
  AssociateKmsKeyRequest,
  CreateLogGroupRequest,
  CreateLogStreamRequest,
  DeleteLogGroupRequest,
  DeleteLogStreamRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  DisassociateKmsKeyRequest,
  FilteredLogEvent,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  LogGroup,
  LogStream,
  OutputLogEvent,
  PutLogEventsRequest,
  PutLogEventsResponse,
  PutRetentionPolicyRequest,
  RejectedLogEventsInfo,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import { pageAfter, pageOf } from '../kit/pagination';
import { matchesMessage, parseFilterPattern } from './filter-pattern';
import type { LogGroupClass, LogGroupRecord, LogStreamRecord, StoredLogEvent } from './model';

export type { LogGroupRecord, LogStreamRecord, StoredLogEvent } from './model';

export interface LogsServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
}

/** Local bounds: the events and bytes a group keeps, and the bytes of all groups; the oldest go first. */
export const MAX_EVENTS_PER_GROUP = 10_000;
const MAX_BYTES_PER_GROUP = 32 * 1024 * 1024;
const MAX_STORED_BYTES = 256 * 1024 * 1024;
/** Local bounds on how many groups, and streams per group, the emulator keeps. */
const MAX_GROUPS = 1_000;
const MAX_STREAMS_PER_GROUP = 10_000;
/** AWS: a batch is at most 10,000 events and 1,048,576 bytes, counting 26 bytes per event. */
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** AWS: events more than 2 hours ahead or 14 days behind are rejected; a batch spans at most 24 hours. */
const MAX_FUTURE_MS = 2 * HOUR_MS;
const MAX_AGE_MS = 14 * DAY_MS;
const MAX_BATCH_SPAN_MS = DAY_MS;
/** AWS: GetLogEvents and FilterLogEvents answer at most 10,000 events or 1 MB. */
const MAX_READ_EVENTS = 10_000;
const MAX_READ_BYTES = 1_048_576;
/** AWS: DescribeLogGroups and DescribeLogStreams pages hold at most 50. */
const MAX_DESCRIBE = 50;
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const GROUP_CLASSES: readonly LogGroupClass[] = ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY', 'ESSENTIALS'];
/** AWS: a log group name is 1-512 of `[.-_/#A-Za-z0-9]`; a stream name 1-512 without `:` or `*`. */
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const MAX_NAME = 512;
/** AWS: 50 tags, keys of 1-128 and values of up to 256 letters, digits, spaces and `_.:/=+-@`. */
const MAX_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/** A group's ARN: `arn:aws:logs:REGION:ACCOUNT:log-group:NAME`, with `:*` in DescribeLogGroups' `arn`. */
const GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(?::\*)?$/;

/** Told about every durable change (`--state-dir`), in order: groups, streams, events stored and dropped. */
export interface LogsChanges {
  /** Created, deleted (undefined) or a setting changed (retention, KMS key, tags). */
  groupChanged(name: string, group: LogGroupRecord | undefined): void;
  streamChanged(group: string, stream: string, record: LogStreamRecord | undefined): void;
  eventsStored(group: string, stream: LogStreamRecord, events: readonly StoredLogEvent[]): void;
  /** The stream's first `count` events (in eventId order) were dropped. */
  eventsDropped(group: string, stream: string, count: number): void;
}

export class LogsService {
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly groups = new Map<string, LogGroupRecord>();
  /** Orders events of the same millisecond by arrival. */
  private sequence = 0;
  /** The message bytes of every group, for the service-wide bound. */
  private storedBytes = 0;
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  private changes: LogsChanges | undefined;

  constructor(options: LogsServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
  }

  // ----- log groups --------------------------------------------------------------------------------------------

  createLogGroup(input: CreateLogGroupRequest): void {
    const name = checkGroupName(input.logGroupName);
    const tags = checkTags(input.tags ?? {});
    const logGroupClass = input.logGroupClass ?? 'STANDARD';
    if (!GROUP_CLASSES.includes(logGroupClass)) {
      throw validation(
        logGroupClass,
        'logGroupClass',
        `Member must satisfy enum value set: [${GROUP_CLASSES.join(', ')}]`,
      );
    }
    if (input.deletionProtectionEnabled === true) {
      throw invalidParameter('deletionProtectionEnabled is not supported by the local emulator.');
    }
    if (input.kmsKeyId !== undefined && (input.kmsKeyId.length === 0 || input.kmsKeyId.length > 256)) {
      throw validation(input.kmsKeyId, 'kmsKeyId', 'Member must have length less than or equal to 256');
    }
    if (this.groups.has(name)) {
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    }
    if (this.groups.size >= MAX_GROUPS) {
      throw new AwsError(
        'LimitExceededException',
        `Resource limit exceeded: the local emulator keeps at most ${MAX_GROUPS} log groups.`,
      );
    }
    this.groups.set(name, {
      name,
      creationTime: this.clock.now(),
      kmsKeyId: input.kmsKeyId,
      logGroupClass,
      tags: new Map(Object.entries(tags)),
      streams: new Map(),
      eventCount: 0,
      storedBytes: 0,
    });
    this.changes?.groupChanged(name, this.groups.get(name));
  }

  deleteLogGroup(input: DeleteLogGroupRequest): void {
    const group = this.group(checkGroupName(input.logGroupName));
    this.groups.delete(group.name);
    this.storedBytes -= group.storedBytes;
    this.changes?.groupChanged(group.name, undefined);
  }

  describeLogGroups(input: DescribeLogGroupsRequest = {}): DescribeLogGroupsResponse {
    const prefix = input.logGroupNamePrefix;
    const pattern = input.logGroupNamePattern;
    if (prefix !== undefined && pattern !== undefined) {
      throw invalidParameter(
        'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
      );
    }
    if (prefix !== undefined && prefix.length > 0) checkGroupName(prefix, 'logGroupNamePrefix');
    if (pattern !== undefined && pattern.length > 0) checkGroupName(pattern, 'logGroupNamePattern');
    const limit = checkLimit(input.limit, MAX_DESCRIBE);
    const identifiers = input.logGroupIdentifiers;
    if (identifiers !== undefined && (identifiers.length < 1 || identifiers.length > 50)) {
      throw validation(identifiers.length, 'logGroupIdentifiers', 'Member must have length between 1 and 50');
    }
    const wanted = identifiers && new Set(identifiers.map((i) => this.nameOfIdentifier(i)));
    // AWS: the pattern matches anywhere in the name, case-insensitively
    const needle = pattern?.toLowerCase();
    const matching = [...this.groups.values()]
      .filter(
        (g) =>
          (prefix === undefined || g.name.startsWith(prefix)) &&
          (needle === undefined || g.name.toLowerCase().includes(needle)) &&
          (wanted === undefined || wanted.has(g.name)) &&
          (input.logGroupClass === undefined || g.logGroupClass === input.logGroupClass),
      )
      .sort((a, b) => compare(a.name, b.name));
    const page = pageAfter(matching, (g) => g.name, {
      pageSize: limit,
      token: input.nextToken,
      invalidToken: invalidToken,
    });
    return {
      logGroups: page.items.map((g) => this.describeGroup(g)),
      ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
    };
  }

  putRetentionPolicy(input: PutRetentionPolicyRequest): void {
    const name = checkGroupName(input.logGroupName);
    const days = input.retentionInDays;
    if (days === undefined) throw validation(null, 'retentionInDays', 'Member must not be null');
    if (!RETENTION_DAYS.includes(days)) {
      throw validation(
        days,
        'retentionInDays',
        `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      );
    }
    const group = this.group(name);
    group.retentionInDays = days;
    this.changes?.groupChanged(name, group);
    this.expire(group);
  }

  deleteRetentionPolicy(input: DeleteRetentionPolicyRequest): void {
    const group = this.group(checkGroupName(input.logGroupName));
    group.retentionInDays = undefined;
    this.changes?.groupChanged(group.name, group);
  }

  /** The group's KMS key (recorded and reported; events are not encrypted locally). */
  associateKmsKey(input: AssociateKmsKeyRequest): void {
    const name = checkGroupName(input.logGroupName);
    const keyId = input.kmsKeyId;
    if (keyId === undefined) throw validation(null, 'kmsKeyId', 'Member must not be null');
    if (keyId.length > 256) {
      throw validation(keyId, 'kmsKeyId', 'Member must have length less than or equal to 256');
    }
    this.group(name).kmsKeyId = keyId;
    this.changes?.groupChanged(name, this.group(name));
  }

  disassociateKmsKey(input: DisassociateKmsKeyRequest): void {
    const group = this.group(checkGroupName(input.logGroupName));
    group.kmsKeyId = undefined;
    this.changes?.groupChanged(group.name, group);
  }

  // ----- log streams -------------------------------------------------------------------------------------------

  createLogStream(input: CreateLogStreamRequest): void {
    const groupName = checkGroupName(input.logGroupName);
    const streamName = checkStreamName(input.logStreamName);
    const group = this.group(groupName);
    if (group.streams.has(streamName)) {
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    }
    if (group.streams.size >= MAX_STREAMS_PER_GROUP) {
      throw new AwsError(
        'LimitExceededException',
        `Resource limit exceeded: the local emulator keeps at most ${MAX_STREAMS_PER_GROUP} streams per log group.`,
      );
    }
    group.streams.set(streamName, { name: streamName, creationTime: this.clock.now(), events: [] });
    this.changes?.streamChanged(groupName, streamName, group.streams.get(streamName));
  }

  deleteLogStream(input: DeleteLogStreamRequest): void {
    const groupName = checkGroupName(input.logGroupName);
    const streamName = checkStreamName(input.logStreamName);
    const group = this.group(groupName);
    const stream = this.stream(group, streamName);
    this.removeFront(group, stream, stream.events.length);
    group.streams.delete(streamName);
    this.changes?.streamChanged(groupName, streamName, undefined);
  }

  describeLogStreams(input: DescribeLogStreamsRequest): DescribeLogStreamsResponse {
    const group = this.group(this.groupNameOf(input));
    const orderBy = input.orderBy ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
      throw validation(
        orderBy,
        'orderBy',
        'Member must satisfy enum value set: [LogStreamName, LastEventTime]',
      );
    }
    const prefix = input.logStreamNamePrefix;
    if (prefix !== undefined && prefix.length > 0) checkStreamName(prefix, 'logStreamNamePrefix');
    // AWS: a prefix lists streams by name only
    if (prefix !== undefined && orderBy === 'LastEventTime') {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const limit = checkLimit(input.limit, MAX_DESCRIBE);
    this.expire(group);
    const streams = [...group.streams.values()].filter(
      (s) => prefix === undefined || s.name.startsWith(prefix),
    );
    const sorted =
      orderBy === 'LogStreamName'
        ? streams.sort((a, b) => compare(a.name, b.name))
        : // streams without events sort first, as on AWS (their last event time is 0)
          streams.sort((a, b) => lastTimestamp(a) - lastTimestamp(b) || compare(a.name, b.name));
    if (input.descending) sorted.reverse();
    const page = pageOf(sorted, { pageSize: limit, token: input.nextToken, invalidToken });
    return {
      logStreams: page.items.map((s) => this.describeStream(group, s)),
      ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
    };
  }

  // ----- events ------------------------------------------------------------------------------------------------

  putLogEvents(input: PutLogEventsRequest): PutLogEventsResponse {
    const groupName = checkGroupName(input.logGroupName);
    const streamName = checkStreamName(input.logStreamName);
    const events = input.logEvents;
    if (events === undefined) throw validation(null, 'logEvents', 'Member must not be null');
    if (events.length < 1) {
      throw validation('[]', 'logEvents', 'Member must have length greater than or equal to 1');
    }
    if (events.length > MAX_BATCH_EVENTS) {
      throw validation(
        `${events.length} events`,
        'logEvents',
        `Member must have length less than or equal to ${MAX_BATCH_EVENTS}`,
      );
    }
    let bytes = 0;
    events.forEach((event, i) => {
      if (event.timestamp === undefined || event.timestamp === null) {
        throw validation(null, `logEvents.${i + 1}.member.timestamp`, 'Member must not be null');
      }
      if (typeof event.message !== 'string') {
        throw validation(null, `logEvents.${i + 1}.member.message`, 'Member must not be null');
      }
      if (event.message.length < 1) {
        throw validation(
          '',
          `logEvents.${i + 1}.member.message`,
          'Member must have length greater than or equal to 1',
        );
      }
      bytes += Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
    });
    if (bytes > MAX_BATCH_BYTES) {
      throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    }
    for (let i = 1; i < events.length; i++) {
      if ((events[i].timestamp as number) < (events[i - 1].timestamp as number)) {
        throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
      }
    }
    const group = this.group(groupName);
    const stream = this.stream(group, streamName);
    const now = this.clock.now();
    const retentionCutoff =
      group.retentionInDays !== undefined ? now - group.retentionInDays * DAY_MS : Number.NEGATIVE_INFINITY;
    const rejected: RejectedLogEventsInfo = {};
    const accepted: { timestamp: number; message: string }[] = [];
    events.forEach((event, i) => {
      const timestamp = event.timestamp as number;
      if (timestamp > now + MAX_FUTURE_MS) {
        rejected.tooNewLogEventStartIndex ??= i;
      } else if (timestamp < now - MAX_AGE_MS) {
        rejected.tooOldLogEventEndIndex = i;
      } else if (timestamp < retentionCutoff) {
        rejected.expiredLogEventEndIndex = i;
      } else {
        accepted.push({ timestamp, message: event.message as string });
      }
    });
    if (
      accepted.length > 1 &&
      accepted[accepted.length - 1].timestamp - accepted[0].timestamp > MAX_BATCH_SPAN_MS
    ) {
      throw invalidParameter(
        'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
      );
    }
    this.store(group, stream, accepted, now);
    return {
      // AWS: the sequence token is ignored now, but still handed out
      nextSequenceToken: String(this.sequence).padStart(56, '0'),
      ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
    };
  }

  getLogEvents(input: GetLogEventsRequest): GetLogEventsResponse {
    const group = this.group(this.groupNameOf(input));
    const stream = this.stream(group, checkStreamName(input.logStreamName));
    const limit = checkLimit(input.limit, MAX_READ_EVENTS);
    const { startTime, endTime } = input;
    this.expire(group);
    const inWindow = (e: StoredLogEvent) =>
      (startTime === undefined || e.timestamp >= startTime) &&
      (endTime === undefined || e.timestamp < endTime);
    const token = input.nextToken;
    let forward: boolean;
    let boundary: string | undefined;
    if (token !== undefined && token !== '') {
      const match = /^([fb])\/(\d{56})$/.exec(token);
      if (!match) throw invalidParameter('The specified nextToken is invalid.');
      forward = match[1] === 'f';
      boundary = match[2];
    } else {
      forward = input.startFromHead === true;
    }
    const candidates = stream.events.filter(
      (e) =>
        inWindow(e) && (boundary === undefined || (forward ? e.eventId > boundary : e.eventId < boundary)),
    );
    const page = forward ? takeFromHead(candidates, limit) : takeFromTail(candidates, limit);
    const zero = '0'.repeat(56);
    const first = page[0]?.eventId;
    const last = page[page.length - 1]?.eventId;
    return {
      events: page.map((e): OutputLogEvent => ({
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
      })),
      // AWS: at the end of the stream the same token comes back, which is how a reader knows it is there
      nextForwardToken: `f/${last ?? (forward ? (boundary ?? zero) : (boundary ?? zero))}`,
      nextBackwardToken: `b/${first ?? boundary ?? zero}`,
    };
  }

  filterLogEvents(input: FilterLogEventsRequest): FilterLogEventsResponse {
    const group = this.group(this.groupNameOf(input));
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const names = input.logStreamNames;
    if (names !== undefined) {
      if (names.length < 1 || names.length > 100) {
        throw validation(names.length, 'logStreamNames', 'Member must have length between 1 and 100');
      }
      names.forEach((n) => checkStreamName(n, 'logStreamNames'));
    }
    const prefix = input.logStreamNamePrefix;
    if (prefix !== undefined) checkStreamName(prefix, 'logStreamNamePrefix');
    const limit = checkLimit(input.limit, MAX_READ_EVENTS);
    const pattern = parseFilterPattern(input.filterPattern ?? '');
    const { startTime, endTime } = input;
    if (startTime !== undefined && endTime !== undefined && endTime < startTime) {
      throw invalidParameter('endTime must be greater than or equal to startTime.');
    }
    let after = '';
    if (input.nextToken !== undefined && input.nextToken !== '') after = filterTokenAfter(input.nextToken);
    this.expire(group);
    const wanted = names && new Set(names);
    const streams = [...group.streams.values()].filter(
      (s) =>
        (wanted === undefined || wanted.has(s.name)) && (prefix === undefined || s.name.startsWith(prefix)),
    );
    const found: { stream: string; event: StoredLogEvent }[] = [];
    for (const stream of streams) {
      for (const event of stream.events) {
        if (event.eventId <= after) continue;
        // AWS: endTime is inclusive here ("events with a timestamp later than this time are not returned")
        if (startTime !== undefined && event.timestamp < startTime) continue;
        if (endTime !== undefined && event.timestamp > endTime) continue;
        if (matchesMessage(pattern, event.message)) found.push({ stream: stream.name, event });
      }
    }
    // AWS: events of every stream interleaved, oldest first
    found.sort((a, b) => compare(a.event.eventId, b.event.eventId));
    const page: FilteredLogEvent[] = [];
    let bytes = 0;
    for (const { stream, event } of found) {
      if (page.length >= limit) break;
      bytes += event.size + EVENT_OVERHEAD_BYTES;
      if (page.length > 0 && bytes > MAX_READ_BYTES) break;
      page.push({
        logStreamName: stream,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: event.eventId,
      });
    }
    const more = page.length < found.length;
    return {
      events: page,
      // AWS: deprecated, and now always empty
      searchedLogStreams: [],
      ...(more ? { nextToken: filterToken(page[page.length - 1].eventId as string) } : {}),
    };
  }

  // ----- tags --------------------------------------------------------------------------------------------------

  tagResource(input: TagResourceRequest): void {
    const group = this.groupOfArn(input.resourceArn);
    this.addTags(group, input.tags ?? {});
  }

  untagResource(input: UntagResourceRequest): void {
    const group = this.groupOfArn(input.resourceArn);
    for (const key of input.tagKeys ?? []) group.tags.delete(key);
    this.changes?.groupChanged(group.name, group);
  }

  listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResponse {
    return { tags: Object.fromEntries(this.groupOfArn(input.resourceArn).tags) };
  }

  /** The older tagging operations by group name (deprecated by AWS, still used by tools). */
  tagLogGroup(input: TagLogGroupRequest): void {
    this.addTags(this.group(checkGroupName(input.logGroupName)), input.tags ?? {});
  }

  untagLogGroup(input: UntagLogGroupRequest): void {
    const group = this.group(checkGroupName(input.logGroupName));
    for (const key of input.tags ?? []) group.tags.delete(key);
    this.changes?.groupChanged(group.name, group);
  }

  listTagsLogGroup(input: ListTagsLogGroupRequest): ListTagsLogGroupResponse {
    return { tags: Object.fromEntries(this.group(checkGroupName(input.logGroupName)).tags) };
  }

  // ----- in-process --------------------------------------------------------------------------------------------

  /**
   * Lambda's writes: lines a function printed, stored in its group and stream, both made if missing (AWS: Lambda
   * creates `/aws/lambda/NAME` on the first output). Timestamps come from the emulator clock, so in order.
   */
  ingest(groupName: string, streamName: string, messages: readonly string[]): void {
    if (messages.length === 0) return;
    let group = this.groups.get(groupName);
    if (!group) {
      // a group beyond the local bound, or with a name AWS would refuse, receives nothing
      if (this.groups.size >= MAX_GROUPS || !isGroupName(groupName)) return;
      this.createLogGroup({ logGroupName: groupName });
      group = this.groups.get(groupName) as LogGroupRecord;
    }
    let stream = group.streams.get(streamName);
    if (!stream) {
      if (group.streams.size >= MAX_STREAMS_PER_GROUP) {
        // the oldest stream makes room: a long session's execution environments come and go
        const oldest = group.streams.values().next().value as LogStreamRecord;
        this.removeFront(group, oldest, oldest.events.length);
        group.streams.delete(oldest.name);
        this.changes?.streamChanged(groupName, oldest.name, undefined);
      }
      stream = { name: streamName, creationTime: this.clock.now(), events: [] };
      group.streams.set(streamName, stream);
      this.changes?.streamChanged(groupName, streamName, stream);
    }
    const now = this.clock.now();
    // AWS: an event is at most 1 MB; a longer line is cut
    const limit = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;
    this.store(
      group,
      stream,
      messages.map((m) => ({
        timestamp: now,
        message: Buffer.byteLength(m) > limit ? Buffer.from(m).subarray(0, limit).toString() : m,
      })),
      now,
    );
  }

  /** The group of a name, for the deploy engine and the console. */
  logGroup(name: string): LogGroupRecord | undefined {
    return this.groups.get(name);
  }

  logGroupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Persistence (`--state-dir`): every durable change from now on is reported to `changes`. */
  persistTo(changes: LogsChanges): void {
    this.changes = changes;
  }

  /** Restore: a group as persisted, its streams and events in it; later event ids follow the largest restored. */
  adoptLogGroup(group: LogGroupRecord, lastSequence: number): void {
    this.groups.set(group.name, group);
    this.storedBytes += group.storedBytes;
    this.sequence = Math.max(this.sequence, lastSequence);
  }

  /** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME`, the ARN TagResource takes and `logGroupArn` reports. */
  arnOf(groupName: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${groupName}`;
  }

  // ----- internals ---------------------------------------------------------------------------------------------

  private store(
    group: LogGroupRecord,
    stream: LogStreamRecord,
    events: readonly { timestamp: number; message: string }[],
    now: number,
  ): void {
    if (events.length === 0) return;
    const stored: StoredLogEvent[] | undefined = this.changes && [];
    for (const { timestamp, message } of events) {
      const size = Buffer.byteLength(message, 'utf8');
      const event: StoredLogEvent = {
        eventId: eventIdOf(timestamp, ++this.sequence),
        timestamp,
        message,
        size,
        ingestionTime: now,
      };
      insertSorted(stream.events, event);
      stored?.push(event);
      group.eventCount++;
      group.storedBytes += size;
      this.storedBytes += size;
    }
    stream.lastIngestionTime = now;
    if (stored) this.changes?.eventsStored(group.name, stream, stored);
    this.expire(group);
    this.dropOldest(group, group.eventCount - MAX_EVENTS_PER_GROUP, group.storedBytes - MAX_BYTES_PER_GROUP);
    // past the service-wide bound, the largest group gives up its oldest events
    while (this.storedBytes > MAX_STORED_BYTES) {
      let largest = group;
      for (const g of this.groups.values()) if (g.storedBytes > largest.storedBytes) largest = g;
      this.dropOldest(largest, 0, this.storedBytes - MAX_STORED_BYTES);
    }
  }

  /** Drops a group's oldest events, from whichever streams hold them, until `events` and `bytes` have gone. */
  private dropOldest(group: LogGroupRecord, events: number, bytes: number): void {
    while (events > 0 || bytes > 0) {
      // the stream holding the oldest event, and the first event of any other stream (where its run ends)
      let oldest: LogStreamRecord | undefined;
      let next = '\uffff';
      for (const s of group.streams.values()) {
        if (s.events.length === 0) continue;
        if (!oldest || s.events[0].eventId < oldest.events[0].eventId) {
          if (oldest && oldest.events[0].eventId < next) next = oldest.events[0].eventId;
          oldest = s;
        } else if (s.events[0].eventId < next) next = s.events[0].eventId;
      }
      if (!oldest) return;
      let count = 0;
      let size = 0;
      do {
        size += oldest.events[count].size;
        count++;
      } while (
        count < oldest.events.length &&
        oldest.events[count].eventId < next &&
        (count < events || size < bytes)
      );
      this.removeFront(group, oldest, count);
      events -= count;
      bytes -= size;
    }
  }

  /** AWS: events older than the group's retention are deleted; here, whenever the group is used. */
  private expire(group: LogGroupRecord): void {
    if (group.retentionInDays === undefined) return;
    const cutoff = this.clock.now() - group.retentionInDays * DAY_MS;
    for (const stream of group.streams.values()) {
      let count = 0;
      while (count < stream.events.length && stream.events[count].timestamp < cutoff) count++;
      this.removeFront(group, stream, count);
    }
  }

  /** Removes a stream's first `count` events, keeping the counts right. */
  private removeFront(group: LogGroupRecord, stream: LogStreamRecord, count: number): void {
    if (count <= 0) return;
    let size = 0;
    for (const event of stream.events.splice(0, count)) size += event.size;
    group.eventCount -= count;
    group.storedBytes -= size;
    this.storedBytes -= size;
    this.changes?.eventsDropped(group.name, stream.name, count);
  }

  private group(name: string): LogGroupRecord {
    const group = this.groups.get(name);
    if (!group) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  private stream(group: LogGroupRecord, name: string): LogStreamRecord {
    const stream = group.streams.get(name);
    if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return stream;
  }

  /** `logGroupName`, or `logGroupIdentifier` (a name or an ARN): one of them, not both. */
  private groupNameOf(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
    if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
      throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    if (input.logGroupIdentifier !== undefined) return this.nameOfIdentifier(input.logGroupIdentifier);
    if (input.logGroupName === undefined) {
      throw invalidParameter('Should provide either name or ARN of the log group.');
    }
    return checkGroupName(input.logGroupName);
  }

  private nameOfIdentifier(identifier: string): string {
    if (!identifier.startsWith('arn:')) return checkGroupName(identifier, 'logGroupIdentifier');
    const match = GROUP_ARN.exec(identifier);
    if (!match || match[1] !== this.region || match[2] !== this.accountId) {
      throw invalidParameter(`Invalid log group identifier: ${identifier}`);
    }
    return match[3];
  }

  private groupOfArn(arn: string | undefined): LogGroupRecord {
    if (arn === undefined) throw validation(null, 'resourceArn', 'Member must not be null');
    const match = GROUP_ARN.exec(arn);
    if (!match) throw invalidParameter(`Invalid resource ARN: ${arn.slice(0, 1011)}`);
    if (match[1] !== this.region || match[2] !== this.accountId) {
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    return this.group(match[3]);
  }

  private addTags(group: LogGroupRecord, tags: Record<string, string>): void {
    const checked = checkTags(tags);
    const merged = new Set([...group.tags.keys(), ...Object.keys(checked)]);
    if (merged.size > MAX_TAGS) {
      throw new AwsError('TooManyTagsException', `A resource can have no more than ${MAX_TAGS} tags.`);
    }
    for (const [key, value] of Object.entries(checked)) group.tags.set(key, value);
    this.changes?.groupChanged(group.name, group);
  }

  private describeGroup(g: LogGroupRecord): LogGroup {
    return {
      logGroupName: g.name,
      creationTime: g.creationTime,
      ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
      metricFilterCount: 0,
      arn: `${this.arnOf(g.name)}:*`,
      storedBytes: g.storedBytes,
      ...(g.kmsKeyId !== undefined ? { kmsKeyId: g.kmsKeyId } : {}),
      logGroupClass: g.logGroupClass,
      logGroupArn: this.arnOf(g.name),
      deletionProtectionEnabled: false,
    };
  }

  private describeStream(group: LogGroupRecord, s: LogStreamRecord): LogStream {
    const first = s.events[0];
    const last = s.events[s.events.length - 1];
    return {
      logStreamName: s.name,
      creationTime: s.creationTime,
      ...(first ? { firstEventTimestamp: first.timestamp, lastEventTimestamp: last.timestamp } : {}),
      ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
      arn: `${this.arnOf(group.name)}:log-stream:${s.name}`,
      // AWS: deprecated, always 0
      storedBytes: 0,
    };
  }
}

function isGroupName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_NAME && GROUP_NAME.test(name);
}

function checkGroupName(name: string | undefined, member = 'logGroupName'): string {
  if (name === undefined || name === null) throw validation(null, member, 'Member must not be null');
  if (name.length > MAX_NAME) {
    throw invalidParameter('Invalid LogGroup or LogStream, both must have length less than or equal to 512.');
  }
  if (!isGroupName(name)) {
    throw validation(name, member, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
  }
  return name;
}

function checkStreamName(name: string | undefined, member = 'logStreamName'): string {
  if (name === undefined || name === null) throw validation(null, member, 'Member must not be null');
  if (name.length > MAX_NAME) {
    throw invalidParameter('Invalid LogGroup or LogStream, both must have length less than or equal to 512.');
  }
  if (name.length < 1 || name.includes(':') || name.includes('*')) {
    throw validation(name, member, 'Member must satisfy regular expression pattern: [^:*]*');
  }
  return name;
}

function checkLimit(limit: number | undefined, max: number): number {
  if (limit === undefined) return max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw validation(
      limit,
      'limit',
      limit < 1
        ? 'Member must have value greater than or equal to 1'
        : `Member must have value less than or equal to ${max}`,
    );
  }
  return limit;
}

function checkTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw new AwsError('TooManyTagsException', `A resource can have no more than ${MAX_TAGS} tags.`);
  }
  for (const [key, value] of entries) {
    if (!TAG_KEY.test(key)) {
      throw validation(
        key,
        'tags',
        'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$',
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalidParameter("Tag keys prefixed with 'aws:' are reserved for AWS use.");
    }
    if (typeof value !== 'string' || !TAG_VALUE.test(value)) {
      throw validation(
        value,
        'tags',
        'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$',
      );
    }
  }
  return tags;
}

/** AWS's wording for a value its model refuses, with the service's error code. */
function validation(value: unknown, member: string, constraint: string): AwsError {
  const shown = value === null ? 'null' : `'${String(value).slice(0, 256)}'`;
  return invalidParameter(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

function invalidToken(): AwsError {
  return invalidParameter('The specified nextToken is invalid.');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 56 digits as AWS's are: the timestamp, then the arrival, so that ids sort as events do. */
function eventIdOf(timestamp: number, sequence: number): string {
  return `${String(Math.max(0, Math.trunc(timestamp))).padStart(16, '0')}${String(sequence).padStart(40, '0')}`;
}

/** Binary search from the end: events nearly always arrive in order. */
function insertSorted(events: StoredLogEvent[], event: StoredLogEvent): void {
  if (events.length === 0 || events[events.length - 1].eventId < event.eventId) {
    events.push(event);
    return;
  }
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle].eventId < event.eventId) low = middle + 1;
    else high = middle;
  }
  events.splice(low, 0, event);
}

function lastTimestamp(s: LogStreamRecord): number {
  return s.events.length > 0 ? s.events[s.events.length - 1].timestamp : 0;
}

function takeFromHead(events: readonly StoredLogEvent[], limit: number): StoredLogEvent[] {
  const page: StoredLogEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    bytes += e.size + EVENT_OVERHEAD_BYTES;
    if (page.length >= limit || (page.length > 0 && bytes > MAX_READ_BYTES)) break;
    page.push(e);
  }
  return page;
}

function takeFromTail(events: readonly StoredLogEvent[], limit: number): StoredLogEvent[] {
  const page: StoredLogEvent[] = [];
  let bytes = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    bytes += events[i].size + EVENT_OVERHEAD_BYTES;
    if (page.length >= limit || (page.length > 0 && bytes > MAX_READ_BYTES)) break;
    page.push(events[i]);
  }
  return page.reverse();
}

/** FilterLogEvents' token: the last event id given, so a page stays right as events arrive. */
function filterToken(eventId: string): string {
  return Buffer.from(JSON.stringify({ after: eventId })).toString('base64url');
}

function filterTokenAfter(token: string): string {
  let after: unknown;
  try {
    after =
      token.length <= 200
        ? (JSON.parse(Buffer.from(token, 'base64url').toString()) as { after?: unknown }).after
        : undefined;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string' || !/^\d{56}$/.test(after)) throw invalidToken();
  return after;
}
