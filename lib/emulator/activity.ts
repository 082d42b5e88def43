/**
 * What happens inside the emulator, one event per thing a user would want to see: an object uploaded, a message
 * sent or dead-lettered, a notification published, a function invoked and how it ended. `npm start` prints one
 * live line per event; tests can listen too. Services emit only while someone listens, so it costs nothing
 * in benchmarks.
 */
import { Listeners } from './kit/listeners';

export type ActivityEvent =
  | {
      readonly kind: 'object-created' | 'object-removed';
      readonly bucket: string;
      readonly key: string;
      readonly size?: number;
    }
  | { readonly kind: 'message-sent'; readonly queueName: string; readonly messageId: string }
  | {
      readonly kind: 'message-dead-lettered';
      readonly queueName: string;
      readonly deadLetterQueueName: string;
      readonly messageId: string;
      readonly receiveCount: number;
    }
  | { readonly kind: 'notification-published'; readonly topicName: string; readonly messageId: string }
  | {
      readonly kind: 'function-invoked';
      readonly functionName: string;
      readonly requestId: string;
      /** What invoked it: `s3`, `sns`, `sqs`, `invoke` (the Invoke API) or a destination. */
      readonly trigger: string;
      readonly ok: boolean;
      readonly durationMs: number;
      /** `Type: message` of a failed invocation. */
      readonly error?: string;
      /** For SQS batches: records in the batch and how many the function reported as failed. */
      readonly records?: number;
      readonly failedRecords?: number;
    }
  | {
      readonly kind: 'alarm-state-changed';
      readonly alarmName: string;
      readonly oldState: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
      readonly newState: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
      /** The alarm's StateReason, as DescribeAlarms returns it. */
      readonly reason: string;
    }
  | {
      /** A message move task (StartMessageMoveTask, a DLQ redrive): each step of its life. */
      readonly kind: 'message-move-task';
      readonly status: 'started' | 'progress' | 'completed' | 'failed' | 'cancelled';
      readonly taskId: string;
      readonly sourceQueueName: string;
      /** Undefined: each message goes back to the queue it was dead-lettered from. */
      readonly destinationQueueName?: string;
      readonly moved: number;
      readonly toMove: number;
      readonly failureReason?: string;
    }
  | {
      /** A call AWS would deny (`--iam`): refused under enforce, only reported under audit. */
      readonly kind: 'access-denied';
      /** The role session's ARN or the service principal (`sns.amazonaws.com`). */
      readonly principal: string;
      readonly action: string;
      readonly resource: string;
      /** The statement that denied, or which policies were read and found no allow. */
      readonly reason: string;
      readonly enforced: boolean;
    };

export type ActivityListener = (event: ActivityEvent) => void;

export class ActivityLog {
  private readonly listeners = new Listeners<ActivityEvent>('activity');

  /** Whether anyone listens; services check this before building an event. */
  get active(): boolean {
    return this.listeners.active;
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: ActivityListener): () => void {
    return this.listeners.add(listener);
  }

  emit(event: ActivityEvent): void {
    this.listeners.emit(event);
  }
}
