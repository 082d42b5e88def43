/**
 * `--state-dir` with CloudWatch metrics: datapoints put with PutMetricData and the emulator's own AWS/SQS metrics
 * answer GetMetricData, GetMetricStatistics and ListMetrics the same after a restart; retention still applies.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { withCloudWatchEmulator } from './cloudwatch-fixture';
import type { Emulator } from '../../../lib/emulator/emulator';
import { sqsClientFor } from '../../helpers/emulator';

const START = Date.parse('2026-11-21T09:00:00Z');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-metrics-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function withEmulator<T>(
  clock: ManualClock,
  act: (cloudwatch: CloudWatchClient, emulator: Emulator) => Promise<T>,
): Promise<T> {
  return withCloudWatchEmulator(dir, clock, act);
}

/** Every answer the metrics give: listed metrics, statistics with percentiles, a metric math query. */
async function readMetrics(cloudwatch: CloudWatchClient) {
  const StartTime = new Date(START - 3_600_000);
  const EndTime = new Date(START + 3_600_000);
  const listed = await cloudwatch.send(new ListMetricsCommand({}));
  const recent = await cloudwatch.send(new ListMetricsCommand({ RecentlyActive: 'PT3H' }));
  const latency = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'Shop',
      MetricName: 'Latency',
      Dimensions: [
        { Name: 'Service', Value: 'orders' },
        { Name: 'Stage', Value: 'dev' },
      ],
      StartTime,
      EndTime,
      Period: 60,
      Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'],
    }),
  );
  const percentiles = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'Shop',
      MetricName: 'Latency',
      Dimensions: [
        { Name: 'Stage', Value: 'dev' },
        { Name: 'Service', Value: 'orders' },
      ],
      StartTime,
      EndTime,
      Period: 300,
      ExtendedStatistics: ['p50', 'p99'],
    }),
  );
  const data = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime,
      EndTime,
      MetricDataQueries: [
        {
          Id: 'sizes',
          MetricStat: {
            Metric: { Namespace: 'Shop', MetricName: 'OrderSize' },
            Period: 60,
            Stat: 'Sum',
            Unit: 'Bytes',
          },
        },
        {
          Id: 'fast',
          MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Ticks' }, Period: 1, Stat: 'Maximum' },
        },
        {
          Id: 'sent',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'NumberOfMessagesSent',
              Dimensions: [{ Name: 'QueueName', Value: 'jobs' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        { Id: 'doubled', Expression: 'sizes * 2' },
      ],
    }),
  );
  return {
    listed: listed.Metrics,
    recent: recent.Metrics,
    latency: latency.Datapoints,
    percentiles: percentiles.Datapoints,
    results: data.MetricDataResults,
  };
}

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps PutMetricData datapoints and AWS/SQS metrics across a restart, %s', async (_label, snapshot) => {
  // Prepare: plain values, a statistic set, two units, a high-resolution metric, and a queue's own metrics
  const clock = new ManualClock(START);
  const before = await withEmulator(clock, async (cloudwatch, emulator) => {
    const dimensions = [
      { Name: 'Stage', Value: 'dev' },
      { Name: 'Service', Value: 'orders' },
    ];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          { MetricName: 'Latency', Dimensions: dimensions, Values: [12, 40, 7], Counts: [3, 1, 2] },
          { MetricName: 'Latency', Dimensions: dimensions, Value: 25 },
          { MetricName: 'OrderSize', Value: 300, Unit: 'Bytes' },
          { MetricName: 'OrderSize', Value: 2, Unit: 'Kilobytes' },
          {
            MetricName: 'OrderSize',
            Unit: 'Bytes',
            StatisticValues: { SampleCount: 4, Sum: 1000, Minimum: 100, Maximum: 400 },
          },
          { MetricName: 'Ticks', Value: 1, StorageResolution: 1 },
          { MetricName: 'Ticks', Value: 5, StorageResolution: 1, Timestamp: new Date(START + 1000) },
        ],
      }),
    );
    const sqs = sqsClientFor(emulator.endpoint);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
    sqs.destroy();
    // the minute ends: the queue publishes its AWS/SQS metrics
    clock.advance(60_000);
    // and a second batch adds to a bucket the first one wrote
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          { MetricName: 'Latency', Dimensions: dimensions, Value: 90, Timestamp: new Date(START) },
        ],
      }),
    );
    if (snapshot) await emulator.persistence?.rewrite();
    return readMetrics(cloudwatch);
  });
  expect(before.listed?.map((m) => m.MetricName)).toEqual(
    expect.arrayContaining(['NumberOfMessagesSent', 'Latency', 'OrderSize', 'Ticks']),
  );
  expect(before.results?.find((r) => r.Id === 'sent')?.Values).toEqual([1]);
  expect(before.percentiles?.[0].ExtendedStatistics).toEqual({ p50: 12, p99: 90 });
  // one record per metric, not one per datum
  const journal = readFileSync(path.join(dir, snapshot ? 'snapshot-1.jsonl' : 'journal-0.log'), 'utf8');
  const latencyRecords = journal.split('\n').filter((l) => l.includes('"metric"') && l.includes('Latency'));
  expect(latencyRecords.length).toBeLessThanOrEqual(2);

  // Act: restart on the same directory
  const after = await withEmulator(clock, async (cloudwatch) => readMetrics(cloudwatch));

  // Assert: every answer is the same
  expect(after).toEqual(before);
});

it('drops what passed the 15-day retention while the emulator was down, and a reset’s metrics', async () => {
  // Prepare: one old datapoint, one recent one
  const clock = new ManualClock(START);
  await withEmulator(clock, async (cloudwatch) => {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Old', Value: 1 }] }),
    );
  });
  clock.advance(14 * 86_400_000);
  await withEmulator(clock, async (cloudwatch) => {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Recent', Value: 1 }] }),
    );
  });

  // Act: restart two days later
  clock.advance(2 * 86_400_000);
  const listed = await withEmulator(clock, async (cloudwatch, emulator) => {
    const names = (await cloudwatch.send(new ListMetricsCommand({}))).Metrics?.map((m) => m.MetricName);
    await emulator.reset();
    return names;
  });

  // Assert: only the recent metric survived the retention; after a reset and a restart, none
  expect(listed).toEqual(['Recent']);
  const afterReset = await withEmulator(clock, async (cloudwatch) =>
    (await cloudwatch.send(new ListMetricsCommand({}))).Metrics?.map((m) => m.MetricName),
  );
  expect(afterReset).toEqual([]);
});
