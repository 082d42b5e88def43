/** A message move task (StartMessageMoveTask): redrives messages out of a dead-letter queue over time. */
import type { ListMessageMoveTasksResultEntry } from '@aws-sdk/client-sqs';
import type { Clock, Timer } from '../clock';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export class MessageMoveTask {
  status: MoveTaskStatus = 'RUNNING';
  moved = 0;
  failureReason: string | undefined = undefined;
  private timer: Timer | undefined = undefined;

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

  schedule(clock: Clock, atMs: number, step: () => void): void {
    this.timer = clock.setTimer(atMs, () => {
      this.timer = undefined;
      step();
    });
  }

  complete(): void {
    this.status = 'COMPLETED';
  }

  fail(reason: string): void {
    this.status = 'FAILED';
    this.failureReason = reason;
  }

  cancel(clock: Clock): void {
    if (this.timer) clock.clearTimer(this.timer);
    this.timer = undefined;
    this.status = 'CANCELLED';
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
