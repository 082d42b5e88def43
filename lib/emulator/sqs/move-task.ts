/** A message move task (StartMessageMoveTask): redrives messages out of a dead-letter queue over time. */
import type { ListMessageMoveTasksResultEntry } from '@aws-sdk/client-sqs';
import type { ActivityEvent, ActivityLog } from '../activity';
import type { Clock, Timer } from '../clock';
import type { Queue } from './model';

/** What a running task needs of the service. */
export interface MoveTaskQueues {
  readonly clock: Clock;
  queueByArn(arn: string): Queue | undefined;
  /** Told about each queue that received messages (waiting receivers may take them). */
  received(queue: Queue): void;
  /** Where the task's start, progress and end are reported (npm start's log, the console). */
  readonly activity?: ActivityLog;
}

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export class MessageMoveTask {
  status: MoveTaskStatus = 'RUNNING';
  moved = 0;
  failureReason: string | undefined = undefined;
  private timer: Timer | undefined = undefined;
  private activity: ActivityLog | undefined = undefined;

  constructor(
    readonly id: string,
    readonly sourceArn: string,
    /** Undefined: each message goes back to the queue it was dead-lettered from. */
    readonly destinationArn: string | undefined,
    /** Messages per second; undefined moves as fast as possible. */
    readonly rate: number | undefined,
    /** AWS: the number of messages to move is fixed when the task starts. */
    readonly toMove: number,
    readonly startedAt: number,
  ) {}

  /** Opaque to callers; AWS's handle also names the source queue, so Cancel can report a missing one. */
  get handle(): string {
    return Buffer.from(JSON.stringify({ taskId: this.id, sourceArn: this.sourceArn })).toString('base64');
  }

  static decodeHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
    try {
      const parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8'));
      if (typeof parsed?.taskId === 'string' && typeof parsed?.sourceArn === 'string') return parsed;
    } catch {
      // not a handle
    }
    return undefined;
  }

  /** Moves one second's worth of messages (all of them without a rate limit), then re-arms on the clock. */
  run(queues: MoveTaskQueues): void {
    if (this.status !== 'RUNNING') return;
    if (this.activity === undefined && queues.activity !== undefined) {
      this.activity = queues.activity;
      this.report('started');
    }
    const source = queues.queueByArn(this.sourceArn);
    if (!source) {
      this.fail('AWS.SimpleQueueService.NonExistentQueue');
      return;
    }
    const now = queues.clock.now();
    const budget = Math.max(0, this.toMove - this.moved);
    const batch = source.takeVisible(Math.min(budget, this.rate ?? budget), now);
    const touched = new Set<Queue>();
    for (const message of batch) {
      const targetArn = this.destinationArn ?? message.extras?.deadLetterSourceArn;
      const target = targetArn === undefined ? undefined : queues.queueByArn(targetArn);
      if (!target) {
        this.fail('AWS.SimpleQueueService.NonExistentQueue');
        return;
      }
      target.refresh(now);
      // AWS: a moved message keeps its id, body and attributes; it arrives as a new message in the target
      // the moved message no longer comes from a dead-letter queue
      target.enqueue({ ...source.toNewMessage(message), deadLetterSourceArn: undefined }, now);
      source.remove(message);
      this.moved++;
      touched.add(target);
    }
    for (const queue of touched) queues.received(queue);
    if (this.moved >= this.toMove || batch.length === 0) {
      this.complete();
      return;
    }
    this.report('progress');
    this.timer = queues.clock.setTimer(now + 1000, () => {
      this.timer = undefined;
      this.run(queues);
    });
  }

  complete(): void {
    this.status = 'COMPLETED';
    this.report('completed');
  }

  fail(reason: string): void {
    this.status = 'FAILED';
    this.failureReason = reason;
    this.report('failed');
  }

  cancel(clock: Clock): void {
    if (this.timer) clock.clearTimer(this.timer);
    this.timer = undefined;
    this.status = 'CANCELLED';
    this.report('cancelled');
  }

  private report(status: Extract<ActivityEvent, { kind: 'message-move-task' }>['status']): void {
    if (!this.activity?.active) return;
    const name = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);
    this.activity.emit({
      kind: 'message-move-task',
      status,
      taskId: this.id,
      sourceQueueName: name(this.sourceArn),
      ...(this.destinationArn === undefined ? {} : { destinationQueueName: name(this.destinationArn) }),
      moved: this.moved,
      toMove: this.toMove,
      ...(this.failureReason === undefined ? {} : { failureReason: this.failureReason }),
    });
  }

  toResultEntry(): ListMessageMoveTasksResultEntry {
    const entry: ListMessageMoveTasksResultEntry = {
      Status: this.status,
      SourceArn: this.sourceArn,
      ApproximateNumberOfMessagesMoved: this.moved,
      ApproximateNumberOfMessagesToMove: this.toMove,
      StartedTimestamp: this.startedAt,
    };
    if (this.status === 'RUNNING') entry.TaskHandle = this.handle;
    if (this.destinationArn !== undefined) entry.DestinationArn = this.destinationArn;
    if (this.rate !== undefined) entry.MaxNumberOfMessagesPerSecond = this.rate;
    if (this.failureReason !== undefined) entry.FailureReason = this.failureReason;
    return entry;
  }
}
