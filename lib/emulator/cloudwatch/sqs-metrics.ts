/**
 * The AWS/SQS metrics: every emulated minute, each active queue records its gauges (messages visible, not visible,
 * delayed, age of the oldest message) and the minute's counters (sent, received, deleted, empty receives, sent
 * message size), with the dimension QueueName and the timestamp of the minute that ended.
 *
 * AWS: a queue is active, and publishes metrics, while it holds messages or for six hours after any action on it;
 * ApproximateAgeOfOldestMessage is reported only while the queue holds a message, SentMessageSize only for minutes
 * in which messages were sent.
 */
import type { Queue } from '../sqs/model';
import type { SqsMetricsListener, SqsService } from '../sqs/service';
import type { CloudWatchService } from './service';

/** AWS: a queue stays active for six hours after its last activity. */
export const ACTIVE_FOR_MS = 6 * 3_600_000;

class QueueCounters {
  sent = 0;
  received = 0;
  deleted = 0;
  emptyReceives = 0;
  sizeCount = 0;
  sizeSum = 0;
  sizeMin = Infinity;
  sizeMax = -Infinity;
  constructor(
    readonly queue: Queue,
    public lastActivityAt: number,
  ) {}
}

export class SqsMetricsPublisher implements SqsMetricsListener {
  private readonly counters = new Map<string, QueueCounters>();
  private readonly stopListening: () => void;

  constructor(
    private readonly sqs: SqsService,
    private readonly cloudwatch: CloudWatchService,
  ) {
    sqs.observeMetrics(this);
    this.stopListening = cloudwatch.onMinute((minuteStart, now) => this.publish(minuteStart, now));
  }

  close(): void {
    this.sqs.observeMetrics(undefined);
    this.stopListening();
  }

  sent(queue: Queue, bytes: number): void {
    const c = this.countersOf(queue);
    c.sent++;
    c.sizeCount++;
    c.sizeSum += bytes;
    if (bytes < c.sizeMin) c.sizeMin = bytes;
    if (bytes > c.sizeMax) c.sizeMax = bytes;
  }

  received(queue: Queue, count: number): void {
    const c = this.countersOf(queue);
    if (count > 0) c.received += count;
    else c.emptyReceives++;
  }

  deleted(queue: Queue): void {
    this.countersOf(queue).deleted++;
  }

  private countersOf(queue: Queue): QueueCounters {
    const now = this.sqs.clock.now();
    let c = this.counters.get(queue.name);
    // a queue deleted and created again under the same name starts afresh
    if (c === undefined || c.queue !== queue) {
      c = new QueueCounters(queue, now);
      this.counters.set(queue.name, c);
    }
    c.lastActivityAt = now;
    return c;
  }

  /** Records the minute that started at `minuteStart` for every active queue, then resets the counters. */
  private publish(minuteStart: number, now: number): void {
    const seen = new Set<string>();
    for (const queue of this.sqs.allQueues()) {
      seen.add(queue.name);
      let c = this.counters.get(queue.name);
      if (c === undefined || c.queue !== queue) {
        c = new QueueCounters(queue, queue.createdAt);
        this.counters.set(queue.name, c);
      }
      queue.refresh(now);
      const oldest = queue.oldestArrival();
      if (oldest === undefined && now - c.lastActivityAt > ACTIVE_FOR_MS) continue;
      const dimensions = [{ Name: 'QueueName', Value: queue.name }];
      const record = (metricName: string, value: number, unit: string) =>
        this.cloudwatch.recordMetric({
          namespace: 'AWS/SQS',
          metricName,
          dimensions,
          timestamp: minuteStart,
          unit,
          value,
        });
      record('ApproximateNumberOfMessagesVisible', queue.visibleCount, 'Count');
      record('ApproximateNumberOfMessagesNotVisible', queue.inFlightCount, 'Count');
      record('ApproximateNumberOfMessagesDelayed', queue.delayedCount, 'Count');
      if (oldest !== undefined) {
        record('ApproximateAgeOfOldestMessage', Math.max(0, Math.floor((now - oldest) / 1000)), 'Seconds');
      }
      record('NumberOfMessagesSent', c.sent, 'Count');
      record('NumberOfMessagesReceived', c.received, 'Count');
      record('NumberOfMessagesDeleted', c.deleted, 'Count');
      record('NumberOfEmptyReceives', c.emptyReceives, 'Count');
      if (c.sizeCount > 0) {
        this.cloudwatch.recordMetric({
          namespace: 'AWS/SQS',
          metricName: 'SentMessageSize',
          dimensions,
          timestamp: minuteStart,
          unit: 'Bytes',
          statisticValues: {
            sampleCount: c.sizeCount,
            sum: c.sizeSum,
            minimum: c.sizeMin,
            maximum: c.sizeMax,
          },
        });
      }
      c.sent = c.received = c.deleted = c.emptyReceives = 0;
      c.sizeCount = c.sizeSum = 0;
      c.sizeMin = Infinity;
      c.sizeMax = -Infinity;
    }
    for (const name of this.counters.keys()) if (!seen.has(name)) this.counters.delete(name);
  }
}
