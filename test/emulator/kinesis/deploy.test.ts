/**
 * AWS::Kinesis::Stream in templates: created with its settings, updated in place (shard count, retention,
 * encryption, tags) with the records kept, and deleted with the stack.
 */
import { ManualClock } from '../../../lib/emulator/clock';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import { kinesisStreamHandler } from '../../../lib/emulator/deploy/resources/kinesis';
import type { DeployContext } from '../../../lib/emulator/deploy/resources/types';
import type { CfnTemplate } from '../../../lib/emulator/deploy/template';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ port: 0, clock: new ManualClock() });
});
afterEach(async () => {
  await emu.stop();
});

const template = (properties: Record<string, unknown>): CfnTemplate => ({
  Resources: { Clicks: { Type: 'AWS::Kinesis::Stream', Properties: properties } },
  Outputs: {
    Name: { Value: { Ref: 'Clicks' } },
    Arn: { Value: { 'Fn::GetAtt': ['Clicks', 'Arn'] } },
  },
});

const stack = (t: CfnTemplate) => [
  { id: 'Streams', stackName: 'streams', template: t, dependsOn: [], assets: new Map() },
];

test('a stream is created from its properties and updated in place, its records kept', async () => {
  // Prepare
  const first = await deployStacks(
    emu,
    stack(
      template({
        ShardCount: 1,
        RetentionPeriodHours: 48,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        Tags: [{ Key: 'team', Value: 'web' }],
      }),
    ),
  );
  const name = first.output('Streams', 'Name') as string;
  emu.kinesis.putRecord({ StreamName: name, PartitionKey: 'k', Data: Buffer.from('kept') });
  // Act: the handler's update, as a stack update calls it
  const previousProperties = {
    ShardCount: 1,
    RetentionPeriodHours: 48,
    StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    Tags: [{ Key: 'team', Value: 'web' }],
  };
  const base = { stackName: 'streams', logicalId: 'Clicks', type: 'AWS::Kinesis::Stream' };
  const updated = await kinesisStreamHandler.update!(
    { ...base, properties: { ShardCount: 2, Tags: [{ Key: 'env', Value: 'dev' }] } },
    { ...base, properties: previousProperties, ref: name, attributes: {}, status: 'emulated' },
    { emulator: emu } as unknown as DeployContext,
  );
  const summary = emu.kinesis.describeStreamSummary({ StreamName: name }).StreamDescriptionSummary;
  const tags = emu.kinesis.listTagsForStream({ StreamName: name }).Tags;
  const { ShardIterator } = emu.kinesis.getShardIterator({
    StreamName: name,
    ShardId: 'shardId-000000000000',
    ShardIteratorType: 'TRIM_HORIZON',
  });
  const records = emu.kinesis.getRecords({ ShardIterator }).Records ?? [];
  // Assess
  expect(name).toMatch(/^streams-Clicks-/);
  expect(updated.ref).toBe(name);
  expect(first.output('Streams', 'Arn')).toBe(`arn:aws:kinesis:${emu.region}:000000000000:stream/${name}`);
  expect(summary).toMatchObject({ OpenShardCount: 2, RetentionPeriodHours: 24, EncryptionType: 'NONE' });
  expect(tags).toEqual([{ Key: 'env', Value: 'dev' }]);
  expect(records.map((r) => Buffer.from(r.Data as Uint8Array).toString())).toEqual(['kept']);
});
