/**
 * The AWS/Kinesis stream-level metrics (dimension StreamName): every emulated minute, each stream that was written
 * or read in it records what happened, each API call one sample as AWS counts it, with the timestamp of the minute
 * that ended. GetRecords.IteratorAgeMilliseconds (the age of the last record a GetRecords returned; 0 when caught
 * up) is what iterator-age alarms watch; its Maximum is the usual statistic.
 */
import type { Stream } from '../kinesis/model';
import type { KinesisMetricsListener, KinesisService } from '../kinesis/service';
import type { CloudWatchService } from './service';

/** One metric's samples in the current minute. */
class Samples {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

/** Metric name → unit, in the order they are published. */
const UNITS: ReadonlyArray<readonly [string, string]> = [
  ['IncomingRecords', 'Count'],
  ['IncomingBytes', 'Bytes'],
  ['PutRecord.Success', 'Count'],
  ['PutRecord.Bytes', 'Bytes'],
  ['PutRecords.TotalRecords', 'Count'],
  ['PutRecords.SuccessfulRecords', 'Count'],
  ['PutRecords.FailedRecords', 'Count'],
  ['PutRecords.ThrottledRecords', 'Count'],
  ['PutRecords.Success', 'Count'],
  ['PutRecords.Bytes', 'Bytes'],
  ['WriteProvisionedThroughputExceeded', 'Count'],
  ['GetRecords.Records', 'Count'],
  ['GetRecords.Bytes', 'Bytes'],
  ['GetRecords.Success', 'Count'],
  ['GetRecords.IteratorAgeMilliseconds', 'Milliseconds'],
  ['ReadProvisionedThroughputExceeded', 'Count'],
];

export class KinesisMetricsPublisher implements KinesisMetricsListener {
  /** By stream (a re-created stream is a new one): the samples of the minute in progress. */
  private readonly minute = new Map<Stream, Map<string, Samples>>();
  private readonly stopListening: () => void;

  constructor(
    private readonly kinesis: KinesisService,
    private readonly cloudwatch: CloudWatchService,
  ) {
    kinesis.observeMetrics(this);
    this.stopListening = cloudwatch.onMinute((minuteStart) => this.publish(minuteStart));
  }

  close(): void {
    this.kinesis.observeMetrics(undefined);
    this.stopListening();
  }

  put(
    stream: Stream,
    operation: 'PutRecord' | 'PutRecords',
    stored: number,
    bytes: number,
    throttled: number,
  ): void {
    const add = this.adder(stream);
    // AWS: IncomingRecords and IncomingBytes count what was stored; a throttled write counts once per record
    if (stored > 0) {
      add('IncomingRecords', stored);
      add('IncomingBytes', bytes);
    }
    if (operation === 'PutRecord') {
      add('PutRecord.Success', stored > 0 ? 1 : 0);
      if (stored > 0) add('PutRecord.Bytes', bytes);
    } else {
      add('PutRecords.TotalRecords', stored + throttled);
      add('PutRecords.SuccessfulRecords', stored);
      add('PutRecords.FailedRecords', 0);
      add('PutRecords.ThrottledRecords', throttled);
      add('PutRecords.Success', 1);
      add('PutRecords.Bytes', bytes);
    }
    if (throttled > 0) add('WriteProvisionedThroughputExceeded', throttled);
    else add('WriteProvisionedThroughputExceeded', 0);
  }

  got(stream: Stream, records: number, bytes: number, iteratorAgeMs: number, throttled: boolean): void {
    const add = this.adder(stream);
    if (throttled) {
      add('ReadProvisionedThroughputExceeded', 1);
      return;
    }
    add('ReadProvisionedThroughputExceeded', 0);
    add('GetRecords.Success', 1);
    add('GetRecords.Records', records);
    add('GetRecords.Bytes', bytes);
    add('GetRecords.IteratorAgeMilliseconds', iteratorAgeMs);
  }

  private adder(stream: Stream): (name: string, value: number) => void {
    let metrics = this.minute.get(stream);
    if (!metrics) {
      metrics = new Map();
      this.minute.set(stream, metrics);
    }
    const m = metrics;
    return (name, value) => {
      let samples = m.get(name);
      if (!samples) {
        samples = new Samples();
        m.set(name, samples);
      }
      samples.add(value);
    };
  }

  /** Records the minute that started at `minuteStart` for every stream used in it, then starts afresh. */
  private publish(minuteStart: number): void {
    for (const [stream, metrics] of this.minute) {
      const dimensions = [{ Name: 'StreamName', Value: stream.name }];
      for (const [metricName, unit] of UNITS) {
        const samples = metrics.get(metricName);
        if (!samples) continue;
        this.cloudwatch.recordMetric({
          namespace: 'AWS/Kinesis',
          metricName,
          dimensions,
          timestamp: minuteStart,
          unit,
          statisticValues: {
            sampleCount: samples.count,
            sum: samples.sum,
            minimum: samples.min,
            maximum: samples.max,
          },
        });
      }
    }
    this.minute.clear();
  }
}
