/**
 * `npm start`'s live log: one line per event, in event order, with the request id (functions) or instance id
 * (workers), and bursts summarized. A burst is a run of same-kind events on the same resource (200 messages sent to
 * one queue, a worker's `job-done` lines): its first lines print at once, the rest are counted, and one line sums
 * it up (`sent 200 messages to JobsQueue in 1.2 s`) once it has been quiet for a moment, on a real-time timer that
 * does not keep the process alive. Problems (failed invocations, WARN and ERROR lines, alarms, redrives) always get
 * their own line.
 */
import type { ActivityEvent } from '../emulator/activity';
import type { InstanceLogLine } from '../emulator/autoscaling/instances';
import type { FunctionLogLine } from '../emulator/lambda/function-runtime';
import { isProblemLevel, readableLine } from './log-lines';
import { describeActivity, liveLine, type ResourceLabels, shortRequestId } from './report';

export interface LiveLogOptions {
  readonly labels: ResourceLabels;
  /** The emulator's time, which the lines show. */
  readonly now: () => number;
  readonly print: (line: string) => void;
  /** Lines of a burst printed one by one before it is only counted. @default 3 */
  readonly shownPerBurst?: number;
  /** A burst ends after this long without an event of its kind (real time). @default 2000 */
  readonly quietMs?: number;
  /** A longer burst is summed up this often (real time), then goes on being counted. @default 30000 */
  readonly summaryEveryMs?: number;
  /**
   * How long an invocation's line waits (real time) for the function's last output lines, which travel from its
   * worker thread apart from its result, so that they print before it. @default 250
   */
  readonly invocationHoldMs?: number;
}

/** A run of events of one kind: how many, since when, and how to sum them up. */
interface Burst {
  count: number;
  shown: number;
  /** Printed a summary that ended on its length, not on quiet: the next run of the same kind goes on counting. */
  readonly continuing: boolean;
  readonly startedReal: number;
  readonly firstAt: number;
  lastAt: number;
  /** What the summary says, from the events seen (the count, the time they took, anything it gathered). */
  summary: (count: number, seconds: string) => string;
  readonly service: string;
  readonly timer: NodeJS.Timeout;
  /** Instances a worker burst came from. */
  readonly sources: Set<string>;
  records: number;
}

/** What becomes of one event: its line, and the kind it belongs to for bursts (none: never summarized). */
interface Entry {
  readonly service: string;
  readonly text: string;
  readonly burst?: {
    readonly key: string;
    readonly summary: (count: number, seconds: string, burst: Burst) => string;
    readonly source?: string;
    readonly records?: number;
  };
}

/** Invocations that ended a moment ago, by function: output that arrives late belongs to the latest of them. */
const LATE_OUTPUT_MS = 1000;

export class LiveLog {
  private readonly bursts = new Map<string, Burst>();
  /** Lines waiting behind an invocation's line, which waits for its function's late output; in order. */
  private readonly queue: Array<{
    readonly line: string;
    readonly requestId?: string;
    readonly releaseAt?: number;
  }> = [];
  private releaseTimer: NodeJS.Timeout | undefined = undefined;
  private readonly ended = new Map<string, { readonly requestId: string; readonly atReal: number }>();
  private readonly shownPerBurst: number;
  private readonly quietMs: number;
  private readonly summaryEveryMs: number;
  private readonly invocationHoldMs: number;
  private closed = false;
  /** Names in log fields (a bucket, a queue URL) as the rest of the log names them. */
  private readonly rename = (value: string) => this.options.labels.of(value);

  constructor(private readonly options: LiveLogOptions) {
    this.shownPerBurst = options.shownPerBurst ?? 3;
    this.quietMs = options.quietMs ?? 2000;
    this.summaryEveryMs = options.summaryEveryMs ?? 30_000;
    this.invocationHoldMs = options.invocationHoldMs ?? 250;
  }

  /** An event of the emulator's activity log. */
  activity(event: ActivityEvent): void {
    if (this.closed) return;
    const labels = this.options.labels;
    const { service, text } = describeActivity(event, labels);
    const entry = { service, text, burst: burstOf(event, labels) };
    if (event.kind === 'function-invoked') {
      this.ended.set(event.functionName, { requestId: event.requestId, atReal: performance.now() });
      // its last output lines may still be on their way: they print first
      this.add(entry, (line) => this.hold(line, event.requestId));
      return;
    }
    this.add(entry);
  }

  /** A line a function printed. */
  functionLog(log: FunctionLogLine): void {
    if (this.closed) return;
    const { text, parsed } = readableLine(log.line, this.rename);
    const label = this.options.labels.of(log.functionName);
    const requestId = parsed?.requestId ?? log.requestId ?? this.lateRequestId(log.functionName);
    const level = parsed?.level;
    const quiet = level !== undefined && !isProblemLevel(level) && log.stream === 'stdout';
    this.add(
      {
        service: 'lambda',
        text: `${label} ${shortRequestId(requestId)}  ${text}`,
        ...(quiet && parsed
          ? {
              burst: {
                key: `log ${log.functionName} ${level} ${parsed.message}`,
                summary: (count: number, seconds: string) =>
                  `${label} ${level.padEnd(5)} ${parsed.message} ×${count} in ${seconds} s`,
              },
            }
          : {}),
      },
      (line) => this.emitFor(line, requestId),
    );
  }

  /** A line a worker process of an Auto Scaling group printed. */
  instanceLog(log: InstanceLogLine): void {
    if (this.closed) return;
    const { text, parsed } = readableLine(log.line, this.rename);
    const level = parsed?.level;
    const quiet = level !== undefined && !isProblemLevel(level) && log.stream === 'stdout';
    const source = parsed?.service ?? log.instanceId;
    this.add({
      service: 'worker',
      text: `${log.instanceId}  ${text}`,
      ...(quiet && parsed
        ? {
            burst: {
              key: `instance ${source} ${level} ${parsed.message}`,
              source: log.instanceId,
              summary: (count: number, seconds: string, burst: Burst) =>
                `${source} ${level.padEnd(5)} ${parsed.message} ×${count} in ${seconds} s on ${burst.sources.size} instance${burst.sources.size === 1 ? '' : 's'}`,
            },
          }
        : {}),
    });
  }

  /** A line made elsewhere (the fleet view), printed as it is. */
  line(text: string): void {
    if (!this.closed) this.emit(text);
  }

  /** Sums up the bursts in progress and prints what is held; later events print nothing. */
  close(): void {
    if (this.closed) return;
    for (const key of [...this.bursts.keys()]) this.end(key, false);
    clearTimeout(this.releaseTimer);
    for (const { line } of this.queue.splice(0)) this.options.print(line);
    this.closed = true;
  }

  private add(entry: Entry, print: (line: string) => void = (line) => this.emit(line)): void {
    const now = this.options.now();
    const line = liveLine(new Date(now), entry.service, entry.text);
    const kind = entry.burst;
    if (kind === undefined) {
      print(line);
      return;
    }
    let burst = this.bursts.get(kind.key);
    if (burst !== undefined && performance.now() - burst.startedReal >= this.summaryEveryMs) {
      this.end(kind.key, true);
      burst = this.bursts.get(kind.key);
    }
    if (burst === undefined) burst = this.start(kind.key, entry.service, now, false);
    else burst.timer.refresh();
    burst.count++;
    burst.lastAt = now;
    burst.records += kind.records ?? 0;
    if (kind.source !== undefined) burst.sources.add(kind.source);
    const current = burst;
    burst.summary = (count, seconds) => kind.summary(count, seconds, current);
    if (!burst.continuing && burst.shown < this.shownPerBurst) {
      burst.shown++;
      print(line);
    }
  }

  private start(key: string, service: string, now: number, continuing: boolean): Burst {
    const timer = setTimeout(() => this.end(key, false), this.quietMs);
    timer.unref();
    const burst: Burst = {
      count: 0,
      shown: 0,
      continuing,
      startedReal: performance.now(),
      firstAt: now,
      lastAt: now,
      summary: () => '',
      service,
      timer,
      sources: new Set(),
      records: 0,
    };
    this.bursts.set(key, burst);
    return burst;
  }

  /** Ends a burst: a line sums it up when some of its events were not shown. */
  private end(key: string, goesOn: boolean): void {
    const burst = this.bursts.get(key);
    if (burst === undefined) return;
    clearTimeout(burst.timer);
    this.bursts.delete(key);
    if (burst.count === burst.shown) return;
    const seconds = ((burst.lastAt - burst.firstAt) / 1000).toFixed(1);
    // stamped when printed, so that the times of the lines only go forward
    this.emit(liveLine(new Date(this.options.now()), burst.service, burst.summary(burst.count, seconds)));
    // the next events of a long burst are counted from the start: its first lines were shown already
    if (goesOn) this.start(key, burst.service, this.options.now(), true);
  }

  /** Prints now, unless lines wait: then after them, in order. */
  private emit(line: string): void {
    if (this.queue.length === 0) this.options.print(line);
    else this.queue.push({ line });
  }

  /** An invocation's line waits a moment for its function's late output; what comes after it waits behind it. */
  private hold(line: string, requestId: string): void {
    this.queue.push({ line, requestId, releaseAt: performance.now() + this.invocationHoldMs });
    if (this.queue.length === 1) this.release();
  }

  /** A function's line goes before its invocation's line while that waits, else where it falls. */
  private emitFor(line: string, requestId: string | undefined): void {
    const held = requestId === undefined ? -1 : this.queue.findIndex((o) => o.requestId === requestId);
    if (held < 0) {
      this.emit(line);
      return;
    }
    this.queue.splice(held, 0, { line });
    if (held === 0) this.release();
  }

  /** Prints the lines due at the head of the queue; waits for the next one that is not. */
  private release(): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && (this.queue[0].releaseAt ?? 0) <= now) {
      this.options.print((this.queue.shift() as { line: string }).line);
    }
    if (this.queue.length === 0) return;
    this.releaseTimer = setTimeout(() => this.release(), (this.queue[0].releaseAt ?? now) - now);
    this.releaseTimer.unref();
  }

  /** The invocation a line printed after its end belongs to: the function's latest, if it ended just now. */
  private lateRequestId(functionName: string): string | undefined {
    const ended = this.ended.get(functionName);
    return ended !== undefined && performance.now() - ended.atReal < LATE_OUTPUT_MS
      ? ended.requestId
      : undefined;
  }
}

/** The kind of burst an event belongs to, and its summary; undefined for events that always get their own line. */
function burstOf(event: ActivityEvent, labels: ResourceLabels): Entry['burst'] {
  const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
  switch (event.kind) {
    case 'message-sent': {
      const queue = labels.of(event.queueName);
      return {
        key: `sent ${event.queueName}`,
        summary: (n, s) => `sent ${n} ${plural(n, 'message', 'messages')} to ${queue} in ${s} s`,
      };
    }
    case 'message-dead-lettered': {
      const route = `${labels.of(event.queueName)} → ${labels.of(event.deadLetterQueueName)}`;
      return {
        key: `dlq ${event.queueName}`,
        summary: (n, s) => `${n} ${plural(n, 'message', 'messages')} DEAD-LETTERED: ${route} in ${s} s`,
      };
    }
    case 'object-created':
    case 'object-removed': {
      const slash = event.key.indexOf('/');
      const prefix = `s3://${labels.of(event.bucket)}/${slash > 0 ? event.key.slice(0, slash + 1) : ''}`;
      const verb = event.kind === 'object-created' ? 'uploaded' : 'deleted';
      return {
        key: `${verb} ${event.bucket} ${prefix}`,
        summary: (n, s) =>
          `${verb} ${n} ${plural(n, 'object', 'objects')} ${verb === 'uploaded' ? 'to' : 'from'} ${prefix} in ${s} s`,
      };
    }
    case 'notification-published': {
      const topic = labels.of(event.topicName);
      return {
        key: `published ${event.topicName}`,
        summary: (n, s) =>
          `published ${n} ${plural(n, 'notification', 'notifications')} to ${topic} in ${s} s`,
      };
    }
    case 'function-invoked': {
      if (!event.ok || (event.failedRecords ?? 0) > 0) return undefined;
      const fn = labels.of(event.functionName);
      return {
        key: `invoked ${event.functionName} ${event.trigger}`,
        records: event.records ?? 0,
        summary: (n, s, burst) =>
          `${fn} ← ${event.trigger}: ${n} ${plural(n, 'invocation', 'invocations')} ok${burst.records > 0 ? ` (${burst.records} records)` : ''} in ${s} s`,
      };
    }
    case 'message-move-task':
      // a task's progress every second becomes one line now and then; its start and end always show
      if (event.status !== 'progress') return undefined;
      return {
        key: `move ${event.taskId}`,
        summary: () => describeActivity(event, labels).text,
      };
    case 'alarm-state-changed':
      return undefined;
    case 'access-denied':
      // a denied call repeated by a retrying client is one line now and then, with its count
      return {
        key: `denied ${event.principal} ${event.action} ${event.resource}`,
        summary: (n, s) => `${n}× ${describeActivity(event, labels).text} in ${s} s`,
      };
  }
}
