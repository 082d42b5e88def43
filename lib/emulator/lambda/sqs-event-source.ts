/**
 * An SQS event source mapping, as Lambda runs one: pollers long-poll the queue, invoke the function with a
 * batch, delete what succeeded, and leave the rest to come back after the visibility timeout (and so, after
 * maxReceiveCount receives, to the dead-letter queue).
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { type FilterPattern, matchesBody } from '../kit/filter-patterns';
import type { SqsService } from '../sqs/service';
import type { InvocationResult } from './function-runtime';
import { isObject } from '../kit/guards';
import { MAX_EVENT_NESTING, textNestsDeeperThan } from '../kit/json-nesting';

export interface SqsEventSourceSettings {
  readonly uuid: string;
  readonly queueArn: string;
  readonly functionName: string;
  /** @default 10 */
  readonly batchSize?: number;
  /** Standard queues: how long to gather a batch before invoking. @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** Whether the function reports failed records in `batchItemFailures`. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** ScalingConfig.MaximumConcurrency: invocations running at once for this mapping. @default 5 */
  readonly maximumConcurrency?: number;
  /** FilterCriteria: a record is delivered when it matches any of these patterns. @default every record */
  readonly filters?: readonly FilterPattern[];
}

/** What a mapping needs from the emulator. */
export interface SqsEventSourceHost {
  readonly sqs: SqsService;
  readonly region: string;
  invoke(functionName: string, event: { Records: SQSRecord[] }): Promise<InvocationResult>;
  /** Told about every batch, for the live log of `npm start`. */
  onBatch?(report: BatchReport): void;
}

export interface BatchReport {
  readonly functionName: string;
  readonly queueArn: string;
  readonly received: number;
  /** Records that matched no filter pattern: deleted without invoking the function. */
  readonly filteredOut: number;
  readonly deleted: number;
  readonly failedIds: readonly string[];
  readonly result: InvocationResult;
}

/** AWS: Lambda starts with five concurrent pollers per SQS mapping. */
const DEFAULT_CONCURRENCY = 5;
/** Pollers use the longest long poll, so an idle mapping costs nothing. */
const POLL_WAIT_SECONDS = 20;

export class SqsEventSourceMapping {
  private readonly aborter = new AbortController();
  private readonly pollers: Promise<void>[] = [];

  constructor(
    readonly settings: SqsEventSourceSettings,
    private readonly host: SqsEventSourceHost,
  ) {}

  /** Starts the pollers; they run until {@link stop}. */
  start(): void {
    const count = this.settings.maximumConcurrency ?? DEFAULT_CONCURRENCY;
    for (let i = 0; i < count; i++) this.pollers.push(this.poll());
  }

  async stop(): Promise<void> {
    this.aborter.abort();
    await Promise.all(this.pollers);
  }

  private async poll(): Promise<void> {
    const signal = this.aborter.signal;
    while (!signal.aborted) {
      try {
        const queue = this.host.sqs.queueByArn(this.settings.queueArn);
        if (!queue) return; // the queue was deleted: AWS disables the mapping
        const batch = await this.receiveBatch(queue.url, signal);
        // a batch received is delivered even when the mapping is stopping (updated, deleted): its messages
        // are then deleted or left as usual, never held invisible until their visibility timeout
        if (batch.length > 0) await this.deliver(queue.url, batch);
      } catch (error) {
        if (signal.aborted) return;
        console.error(`event source ${this.settings.uuid}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** One long-polled receive of up to 10, then more while the batch is not full and the batching window lasts. */
  private async receiveBatch(queueUrl: string, signal: AbortSignal): Promise<Message[]> {
    const batchSize = this.settings.batchSize ?? 10;
    const receive = async (max: number, wait: number) =>
      (
        await this.host.sqs.receiveMessage(
          {
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, max),
            WaitTimeSeconds: wait,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          },
          { signal },
        )
      ).Messages ?? [];
    const batch = await receive(batchSize, POLL_WAIT_SECONDS);
    // The batching window is waited out with long polls, so the emulator's clock (and its sends) drive it.
    const clock = this.host.sqs.clock;
    const deadline = clock.now() + (this.settings.maximumBatchingWindowSeconds ?? 0) * 1000;
    while (batch.length > 0 && batch.length < batchSize && !signal.aborted) {
      const leftMs = deadline - clock.now();
      let more: Message[];
      try {
        more = await receive(
          batchSize - batch.length,
          Math.min(POLL_WAIT_SECONDS, Math.max(0, Math.ceil(leftMs / 1000))),
        );
      } catch (error) {
        // stopping: what was received already is delivered
        if (signal.aborted) break;
        throw error;
      }
      batch.push(...more);
      if (more.length === 0 && clock.now() >= deadline) break;
    }
    return batch;
  }

  private async deliver(queueUrl: string, received: Message[]): Promise<void> {
    const all = received.map((m) => this.record(m));
    const filters = this.settings.filters;
    // AWS: an SQS message that matches no filter is deleted without invoking the function
    const matched = all.map((r) => !filters?.length || filters.some((f) => matchesRecord(f, r)));
    const records = all.filter((_, i) => matched[i]);
    const messages = received.filter((_, i) => matched[i]);
    const filteredOut = received.filter((_, i) => !matched[i]);
    this.deleteAll(queueUrl, filteredOut);
    if (records.length === 0) return;
    const result = await this.host.invoke(this.settings.functionName, { Records: records });
    const failedIds = this.failedIds(result, records);
    const succeeded = messages.filter((m) => !failedIds.has(m.MessageId as string));
    this.deleteAll(queueUrl, succeeded);
    this.host.onBatch?.({
      functionName: this.settings.functionName,
      queueArn: this.settings.queueArn,
      received: received.length,
      filteredOut: filteredOut.length,
      deleted: succeeded.length,
      failedIds: [...failedIds],
      result,
    });
  }

  private deleteAll(queueUrl: string, messages: Message[]): void {
    for (let i = 0; i < messages.length; i += 10) {
      this.host.sqs.deleteMessageBatch({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      });
    }
  }

  /**
   * Which records return to the queue. AWS: an error fails the whole batch; with ReportBatchItemFailures,
   * the ids listed fail, and a response that is not a valid report (an id not in the batch, an empty id)
   * fails the whole batch too.
   */
  private failedIds(result: InvocationResult, records: SQSRecord[]): Set<string> {
    const all = new Set(records.map((r) => r.messageId));
    if (!result.ok) return all;
    if (!this.settings.reportBatchItemFailures) return new Set();
    const payload = result.payload as { batchItemFailures?: unknown } | null;
    if (payload === null || typeof payload !== 'object' || payload.batchItemFailures === undefined)
      return new Set();
    if (!Array.isArray(payload.batchItemFailures)) return all;
    const failed = new Set<string>();
    for (const failure of payload.batchItemFailures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      if (typeof id !== 'string' || !all.has(id)) return all;
      failed.add(id);
    }
    return failed;
  }

  /** A received message in the shape of a Lambda SQS event record. */
  private record(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId as string,
      receiptHandle: message.ReceiptHandle as string,
      body: message.Body ?? '',
      attributes: attributes as unknown as SQSRecord['attributes'],
      messageAttributes: recordAttributes(message.MessageAttributes ?? {}),
      md5OfBody: message.MD5OfBody as string,
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.settings.queueArn,
      awsRegion: this.host.region,
    };
  }
}

/**
 * AWS: a filter pattern is matched against the record; `body` is matched as JSON when the body is a JSON
 * object, else as the plain string.
 */
function matchesRecord(filter: FilterPattern, record: SQSRecord): boolean {
  let body: unknown = record.body;
  try {
    // a body nested too deeply for the JSON.stringify below is matched as the string it is
    const parsed: unknown = textNestsDeeperThan(record.body, MAX_EVENT_NESTING)
      ? undefined
      : JSON.parse(record.body);
    if (isObject(parsed)) body = parsed;
  } catch {
    // not JSON: the pattern sees the string
  }
  return matchesBody(filter, JSON.stringify({ ...record, body }));
}

/** SQS's MessageAttributes as Lambda writes them in records: camel-case keys, list fields always present. */
function recordAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType as string,
    };
  }
  return result;
}
