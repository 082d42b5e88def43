/**
 * One delivery stream's way to S3: records are buffered by the hints on the emulator clock (size or interval,
 * whichever comes first), optionally transformed by the Lambda processor (itself buffered by its own hints), and
 * written as one object per buffer under AWS's prefix and name. Records the transform reports `ProcessingFailed`
 * (or that it fails on after its retries) go to the error output prefix as AWS writes them: one JSON line each.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Clock, Timer } from '../clock';
import type { DeliveryTracker } from '../event-delivery';
import type { DeliveryStreamRecord, IncomingRecord } from './model';
import { evaluatePrefix, objectName, PROCESSING_FAILED } from './object-keys';

/** What a delivery needs from the rest of the emulator. */
export interface DeliveryContext {
  readonly clock: Clock;
  readonly region: string;
  readonly deliveries: DeliveryTracker;
  /** Writes an object into a bucket (throws when it cannot: a missing bucket). */
  writeObject(bucket: string, key: string, body: Buffer): void;
  /** Invokes a function synchronously: its result, or `ok: false` when it failed or could not be invoked. */
  invokeFunction(functionArn: string, event: unknown): Promise<FunctionOutcome>;
  /** Told about each delivery that failed for good (the object that could not be written). */
  onDeliveryError?(stream: string, error: unknown): void;
}

export type FunctionOutcome = { readonly ok: true; readonly payload: unknown } | { readonly ok: false };

/** AWS: an S3 delivery is retried for up to 24 hours, then the data is skipped. */
const S3_RETRY_WINDOW_MS = 24 * 3_600_000;
const S3_RETRY_DELAY_MS = 5_000;

/** Records waiting for the size or the interval hint, whichever comes first. */
class RecordBuffer {
  private records: IncomingRecord[] = [];
  private bytes = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly limitBytes: number,
    private readonly limitMs: number,
    private readonly flush: (records: IncomingRecord[]) => void,
  ) {}

  /** Takes records in, in order; the size hint is checked after each, the interval from the first. */
  add(...records: IncomingRecord[]): void {
    for (const record of records) {
      this.records.push(record);
      this.bytes += record.data.length;
      if (this.bytes >= this.limitBytes) this.release();
    }
    if (this.records.length === 0) return;
    if (this.limitMs === 0) {
      this.release();
    } else if (this.timer === undefined) {
      // AWS: the interval runs from the first record of the buffer
      this.timer = this.clock.setTimer(this.clock.now() + this.limitMs, () => {
        this.timer = undefined;
        this.release();
      });
    }
  }

  get size(): number {
    return this.records.length;
  }

  close(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.records = [];
    this.bytes = 0;
  }

  private release(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const records = this.records;
    this.records = [];
    this.bytes = 0;
    if (records.length > 0) this.flush(records);
  }
}

/** A record the transform did not turn into output, as AWS writes it under the error output prefix. */
interface FailedRecord {
  readonly record: IncomingRecord;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export class DeliveryPipeline {
  private readonly toTransform: RecordBuffer | undefined;
  private readonly toS3: RecordBuffer;
  private readonly retries = new Set<Timer>();
  /** Transforms run one after the other, so the records keep their order on their way to S3. */
  private transforming: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly stream: DeliveryStreamRecord,
    private readonly context: DeliveryContext,
  ) {
    const { destination } = stream;
    this.toS3 = new RecordBuffer(context.clock, destination.bufferBytes, destination.bufferMs, (records) =>
      context.deliveries.run(() => this.writeBatch(records)),
    );
    const processor = destination.processor;
    if (processor) {
      this.toTransform = new RecordBuffer(
        context.clock,
        processor.bufferBytes,
        processor.bufferMs,
        (records) => {
          const turn = this.transforming.then(() => this.transform(records));
          this.transforming = turn.catch(() => undefined);
          context.deliveries.run(() => turn);
        },
      );
    }
  }

  /** Takes records in, in arrival order. */
  accept(records: readonly IncomingRecord[]): void {
    (this.toTransform ?? this.toS3).add(...records);
  }

  /** Records held in the buffers (not yet transformed or written). */
  get buffered(): number {
    return (this.toTransform?.size ?? 0) + this.toS3.size;
  }

  /** Stops for good: what is buffered is dropped, as when AWS deletes a delivery stream. */
  close(): void {
    this.closed = true;
    this.toTransform?.close();
    this.toS3.close();
    for (const timer of this.retries) this.context.clock.clearTimer(timer);
    this.retries.clear();
  }

  private async transform(records: IncomingRecord[]): Promise<void> {
    const processor = this.stream.destination.processor!;
    const event = {
      invocationId: randomUUID(),
      deliveryStreamArn: this.stream.arn,
      ...(this.stream.source ? { sourceKinesisStreamArn: this.stream.source.streamArn } : {}),
      region: this.context.region,
      records: records.map((r) => ({
        recordId: r.recordId,
        approximateArrivalTimestamp: r.kinesis?.approximateArrivalTimestamp ?? r.arrivedAt,
        data: r.data.toString('base64'),
        ...(r.kinesis ? { kinesisRecordMetadata: r.kinesis } : {}),
      })),
    };
    // AWS: a failed invocation is retried NumberOfRetries times; a returned answer is final, however malformed
    let outcome: FunctionOutcome = { ok: false };
    let attempts = 0;
    while (attempts <= processor.numberOfRetries && !this.closed) {
      attempts++;
      outcome = await this.context.invokeFunction(processor.functionArn, event);
      if (outcome.ok) break;
    }
    if (this.closed) return;
    const failed: FailedRecord[] = [];
    const transformed: IncomingRecord[] = [];
    if (!outcome.ok) {
      for (const record of records) {
        failed.push({
          record,
          errorCode: 'Lambda.FunctionError',
          errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
        });
      }
    } else {
      const verdicts = verdictsOf(outcome.payload);
      for (const record of records) {
        const verdict = verdicts.get(record.recordId) ?? {
          errorCode: 'Lambda.MissingRecordId',
          errorMessage:
            'One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.',
        };
        if ('data' in verdict) transformed.push({ ...record, data: verdict.data });
        else if ('errorCode' in verdict) failed.push({ record, ...verdict });
      }
    }
    this.toS3.add(...transformed);
    if (failed.length > 0) this.writeFailures(failed, attempts);
  }

  private writeFailures(failed: readonly FailedRecord[], attempts: number): void {
    const now = this.context.clock.now();
    const lines = failed.map((f) =>
      JSON.stringify({
        attemptsMade: attempts,
        arrivalTimestamp: f.record.arrivedAt,
        errorCode: f.errorCode,
        errorMessage: f.errorMessage,
        attemptEndingTimestamp: now,
        rawData: f.record.data.toString('base64'),
        lambdaArn: this.stream.destination.processor?.functionArn,
      }),
    );
    const oldest = failed.reduce((min, f) => Math.min(min, f.record.arrivedAt), Number.POSITIVE_INFINITY);
    const prefix = this.stream.destination.errorOutputPrefix ?? `${PROCESSING_FAILED}/`;
    const key = `${evaluatePrefix(prefix, oldest, PROCESSING_FAILED)}${objectName(this.stream.name, this.stream.versionId, oldest)}`;
    this.put(key, Buffer.from(`${lines.join('\n')}\n`), oldest);
  }

  private writeBatch(records: readonly IncomingRecord[]): void {
    if (this.closed) return;
    const { destination } = this.stream;
    // AWS: the prefix and the name come from the approximate arrival of the oldest record in the object
    const oldest = records.reduce((min, r) => Math.min(min, r.arrivedAt), Number.POSITIVE_INFINITY);
    let body = Buffer.concat(records.map((r) => r.data));
    if (destination.compression === 'GZIP') body = gzipSync(body);
    const key = `${evaluatePrefix(destination.prefix, oldest)}${objectName(this.stream.name, this.stream.versionId, oldest)}${destination.fileExtension}`;
    this.put(key, body, oldest);
  }

  /** Writes an object, retrying on the clock while AWS would (the bucket may come back). */
  private put(key: string, body: Buffer, oldest: number): void {
    if (this.closed) return;
    try {
      this.context.writeObject(this.stream.destination.bucketName, key, body);
    } catch (error) {
      if (this.context.clock.now() - oldest >= S3_RETRY_WINDOW_MS) {
        this.context.onDeliveryError?.(this.stream.name, error);
        return;
      }
      const timer = this.context.clock.setTimer(this.context.clock.now() + S3_RETRY_DELAY_MS, () => {
        this.retries.delete(timer);
        this.context.deliveries.run(() => this.put(key, body, oldest));
      });
      this.retries.add(timer);
    }
  }
}

type Verdict =
  | { readonly data: Buffer }
  | { readonly dropped: true }
  | { readonly errorCode: string; readonly errorMessage: string };

/** AWS's reading of a transform's answer, record by record (`{records: [{recordId, result, data}]}`). */
function verdictsOf(payload: unknown): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  const answered =
    typeof payload === 'object' &&
    payload !== null &&
    Array.isArray((payload as { records?: unknown }).records)
      ? (payload as { records: unknown[] }).records
      : [];
  const seen = new Set<string>();
  for (const entry of answered) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { recordId, result, data } = entry as { recordId?: unknown; result?: unknown; data?: unknown };
    if (typeof recordId !== 'string') continue;
    if (seen.has(recordId)) {
      verdicts.set(recordId, {
        errorCode: 'Lambda.DuplicatedRecordId',
        errorMessage:
          'Multiple records were returned with the same record Id. Ensure that the Lambda function returns unique record Ids for each record.',
      });
      continue;
    }
    seen.add(recordId);
    verdicts.set(recordId, verdictOf(result, data));
  }
  return verdicts;
}

function verdictOf(result: unknown, data: unknown): Verdict {
  if (result === 'Dropped') return { dropped: true };
  if (result === 'ProcessingFailed') {
    return {
      errorCode: 'Lambda.ProcessingFailedStatus',
      errorMessage: 'ProcessingFailed status set for record',
    };
  }
  if (result !== 'Ok') {
    return {
      errorCode: 'Lambda.InvalidReturnFormat',
      errorMessage: 'The result field must be one of Ok, Dropped or ProcessingFailed.',
    };
  }
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) {
    return {
      errorCode: 'Lambda.InvalidReturnFormat',
      errorMessage: 'The data field must be base64 encoded.',
    };
  }
  return { data: Buffer.from(data, 'base64') };
}
