/**
 * What the console remembers of the running emulator, beyond what the services keep: the recent activity events
 * (the live log of `npm start`), each function invocation with the lines it printed, each instance's lines, and
 * each Auto Scaling group's running capacity over time. Bounded buffers: the oldest entries go first. It listens
 * only once started (the first console visit, or `npm start`), so a bare emulator in a benchmark pays nothing.
 */
import type { ActivityEvent } from '../activity';
import type { InstanceLogLine } from '../autoscaling/instances';
import type { Emulator } from '../emulator';
import type { FunctionLogLine } from '../lambda/function-runtime';

/** An activity event with its emulated time and a sequence number (the SSE event id). */
export interface ObservedEvent {
  readonly seq: number;
  readonly at: number;
  readonly event: ActivityEvent;
}

/** An invocation as the activity log reports it, and when. */
export type ObservedInvocation = Omit<Extract<ActivityEvent, { kind: 'function-invoked' }>, 'kind'> & {
  readonly at: number;
};

export interface CapacitySample {
  readonly at: number;
  readonly desired: number;
  readonly running: number;
}

const MAX_EVENTS = 500;
const MAX_INVOCATIONS = 200;
const MAX_LOGGED_REQUESTS = 400;
const MAX_LINES_PER_SOURCE = 200;
const MAX_INSTANCES_LOGGED = 64;
const MAX_SAMPLES = 2_000;

export class ConsoleObservations {
  private readonly events: ObservedEvent[] = [];
  private readonly invocationList: ObservedInvocation[] = [];
  private readonly functionLines = new Map<string, string[]>();
  private readonly instanceLines = new Map<string, string[]>();
  private readonly samples = new Map<string, CapacitySample[]>();
  private readonly subscribers = new Set<(event: ObservedEvent) => void>();
  private stops: Array<() => void> | undefined;
  private seq = 0;

  constructor(private readonly emulator: () => Emulator) {}

  /** Starts listening (idempotent). */
  start(): void {
    if (this.stops) return;
    const emulator = this.emulator();
    const stopActivity = emulator.activity.listen((event) => this.record(event));
    const stopFleet = emulator.autoscaling.observe((event) => this.sample(event.groupName));
    // one sample a minute per group: the fleet chart has a point even when nothing changed
    const stopMinutes = emulator.cloudwatch.onMinute(() =>
      queueMicrotask(() => {
        for (const name of this.groupNames()) this.sample(name);
      }),
    );
    this.stops = [stopActivity, stopFleet, stopMinutes];
    for (const name of this.groupNames()) this.sample(name);
  }

  stop(): void {
    for (const stop of this.stops ?? []) stop();
    this.stops = undefined;
    this.subscribers.clear();
  }

  /** Forgets invocations, log lines and capacity samples (a reset: back to the state right after start). */
  forget(): void {
    this.invocationList.length = 0;
    this.functionLines.clear();
    this.instanceLines.clear();
    this.samples.clear();
  }

  get started(): boolean {
    return this.stops !== undefined;
  }

  /** Adds a live subscriber (an SSE stream); returns the function that removes it. */
  subscribe(listener: (event: ObservedEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** Events after `seq` (all kept ones by default), oldest first. */
  eventsAfter(seq = 0): readonly ObservedEvent[] {
    return this.events.filter((e) => e.seq > seq);
  }

  invocations(functionName?: string): readonly ObservedInvocation[] {
    return this.invocationList.filter((i) => functionName === undefined || i.functionName === functionName);
  }

  /** The lines an invocation printed, by its request id. */
  linesOf(requestId: string): readonly string[] {
    return this.functionLines.get(requestId) ?? [];
  }

  instanceLog(instanceId: string): readonly string[] {
    return this.instanceLines.get(instanceId) ?? [];
  }

  capacity(groupName: string): readonly CapacitySample[] {
    return this.samples.get(groupName) ?? [];
  }

  recordFunctionLog(line: FunctionLogLine): void {
    if (!this.stops || line.requestId === undefined) return;
    appendBounded(this.functionLines, line.requestId, line.line, MAX_LOGGED_REQUESTS);
  }

  recordInstanceLog(line: InstanceLogLine): void {
    if (!this.stops) return;
    appendBounded(this.instanceLines, line.instanceId, line.line, MAX_INSTANCES_LOGGED);
  }

  private record(event: ActivityEvent): void {
    const at = this.emulator().clock.now();
    const observed: ObservedEvent = { seq: ++this.seq, at, event };
    pushBounded(this.events, observed, MAX_EVENTS);
    if (event.kind === 'function-invoked') {
      const { kind: _kind, ...invocation } = event;
      pushBounded(this.invocationList, { at, ...invocation }, MAX_INVOCATIONS);
    }
    for (const subscriber of this.subscribers) subscriber(observed);
  }

  private groupNames(): string[] {
    return this.emulator()
      .autoscaling.describeAutoScalingGroups()
      .AutoScalingGroups.map((g) => g.AutoScalingGroupName ?? '');
  }

  private sample(groupName: string): void {
    const emulator = this.emulator();
    const group = emulator.autoscaling.describeAutoScalingGroups({ AutoScalingGroupNames: [groupName] })
      .AutoScalingGroups[0];
    if (group === undefined) return;
    const running = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
    const list = this.samples.get(groupName) ?? [];
    this.samples.set(groupName, list);
    const sample = { at: emulator.clock.now(), desired: group.DesiredCapacity ?? 0, running };
    const last = list.at(-1);
    // same minute, same numbers: nothing new to draw
    if (
      last &&
      last.desired === sample.desired &&
      last.running === sample.running &&
      sample.at - last.at < 60_000
    )
      return;
    pushBounded(list, sample, MAX_SAMPLES);
  }
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

/** Appends a line to a source's lines; the oldest source goes when there are too many. */
function appendBounded(map: Map<string, string[]>, source: string, line: string, maxSources: number): void {
  let lines = map.get(source);
  if (lines === undefined) {
    lines = [];
    map.set(source, lines);
    if (map.size > maxSources) map.delete(map.keys().next().value as string);
  }
  pushBounded(lines, line.length > 4_000 ? `${line.slice(0, 4_000)}…` : line, MAX_LINES_PER_SOURCE);
}
