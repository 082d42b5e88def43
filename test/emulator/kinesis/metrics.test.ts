/**
 * AWS/Kinesis metrics on the emulator's clock: IncomingRecords and GetRecords.IteratorAgeMilliseconds read back
 * through CloudWatch's GetMetricStatistics, as an iterator-age alarm reads them.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

let emu: Emulator;
let clock: ManualClock;
let cloudwatch: CloudWatchClient;
beforeEach(async () => {
  clock = new ManualClock();
  emu = await startEmulator({ port: 0, clock });
  cloudwatch = new CloudWatchClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  cloudwatch.destroy();
  await emu.stop();
});

test('IncomingRecords counts a minute of writes; the iterator age is how old the last record read was', async () => {
  // Prepare
  const start = clock.now();
  emu.kinesis.createStream({ StreamName: 'clicks', ShardCount: 1 });
  emu.kinesis.putRecords({
    StreamName: 'clicks',
    Records: [1, 2, 3].map((n) => ({ PartitionKey: `k${n}`, Data: Buffer.from(`r${n}`) })),
  });
  clock.advance(30_000);
  const { ShardIterator } = emu.kinesis.getShardIterator({
    StreamName: 'clicks',
    ShardId: 'shardId-000000000000',
    ShardIteratorType: 'TRIM_HORIZON',
  });
  emu.kinesis.getRecords({ ShardIterator });
  // Act
  clock.advance(60_000);
  const statistic = (MetricName: string, stat: 'Sum' | 'Maximum') =>
    cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Kinesis',
        MetricName,
        Dimensions: [{ Name: 'StreamName', Value: 'clicks' }],
        StartTime: new Date(start),
        EndTime: new Date(clock.now()),
        Period: 60,
        Statistics: [stat],
      }),
    );
  const incoming = await statistic('IncomingRecords', 'Sum');
  const age = await statistic('GetRecords.IteratorAgeMilliseconds', 'Maximum');
  // Assess
  expect(incoming.Datapoints?.map((d) => d.Sum)).toEqual([3]);
  expect(age.Datapoints?.map((d) => d.Maximum)).toEqual([30_000]);
});
