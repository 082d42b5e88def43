/**
 * CloudWatch's wire through real clients: the AWS CLI on PATH putting metric data, reading statistics and setting
 * and describing an alarm, each AWS CLI (v1 speaks JSON 1.0, v2.9 query) and boto3 tagging and untagging an alarm.
 * The request-by-request tests of the same wire are in wire.test.ts; these are in the long tier
 * (test/long-suites.js) for the CLIs' Python start-up.
 */
import { ListTagsForResourceCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { AWS_CLIS, awsCli, boto3, installed } from '../../helpers/aws-clients';
import { type CloudWatchTestEmulator, startCloudWatchTestEmulator } from './cloudwatch-fixture';

// Optional: the AWS CLI, when the machine has one (`aws` on PATH may be v1, JSON 1.0; v2.9 speaks query)
const itWithCli = installed('aws') ? it : it.skip;

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

describe('JSON 1.0', () => {
  itWithCli(
    'serves the AWS CLI (put-metric-data, get-metric-statistics, set-alarm-state, describe-alarms)',
    async () => {
      // Prepare
      const cli = (...args: string[]) =>
        awsCli('aws', t.emulator.endpoint, 'cloudwatch', ...args) as Promise<{
          Datapoints: unknown[];
          MetricAlarms: unknown[];
        }>;
      t.atMinute(2);
      // Act
      await cli(
        'put-metric-data',
        '--namespace',
        'Shop',
        '--metric-name',
        'Orders',
        '--value',
        '7',
        '--timestamp',
        '2026-01-01T00:01:10Z',
      );
      const stats = await cli(
        'get-metric-statistics',
        '--namespace',
        'Shop',
        '--metric-name',
        'Orders',
        '--start-time',
        '2026-01-01T00:00:00Z',
        '--end-time',
        '2026-01-01T00:02:00Z',
        '--period',
        '60',
        '--statistics',
        'Sum',
      );
      await cli(
        'put-metric-alarm',
        '--alarm-name',
        'orders-high',
        '--namespace',
        'Shop',
        '--metric-name',
        'Orders',
        '--statistic',
        'Sum',
        '--period',
        '60',
        '--evaluation-periods',
        '1',
        '--threshold',
        '5',
        '--comparison-operator',
        'GreaterThanThreshold',
      );
      await cli(
        'set-alarm-state',
        '--alarm-name',
        'orders-high',
        '--state-value',
        'ALARM',
        '--state-reason',
        'drill',
      );
      const alarms = await cli('describe-alarms', '--alarm-names', 'orders-high');
      // Assess
      // CLI v1 prints timestamps as received: JSON 1.0 sends epoch seconds
      expect(stats.Datapoints).toEqual([
        { Timestamp: Date.UTC(2026, 0, 1, 0, 1) / 1000, Sum: 7, Unit: 'None' },
      ]);
      expect(alarms.MetricAlarms[0]).toMatchObject({
        AlarmName: 'orders-high',
        StateValue: 'ALARM',
        StateReason: 'drill',
      });
    },
  );

  /** An alarm to tag: any alarm will do. */
  const putAlarm = (AlarmName: string) =>
    t.cw.send(
      new PutMetricAlarmCommand({
        AlarmName,
        Namespace: 'Shop',
        MetricName: 'Orders',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );

  it.each(AWS_CLIS)('serves %s tag-resource and untag-resource', async (_, bin) => {
    // Prepare
    const cli = (...args: string[]) => awsCli(bin, t.emulator.endpoint, 'cloudwatch', ...args);
    const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:tagged';
    const tags = async () => (await t.cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;
    await putAlarm('tagged');
    // Act
    await cli('tag-resource', '--resource-arn', arn, '--tags', 'Key=team,Value=a');
    const tagged = await tags();
    await cli('untag-resource', '--resource-arn', arn, '--tag-keys', 'team');
    const untagged = await tags();
    // Assess
    expect(tagged).toEqual([{ Key: 'team', Value: 'a' }]);
    expect(untagged).toEqual([]);
  });

  it('serves boto3 tag_resource and untag_resource', async () => {
    // Prepare
    const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:tagged-boto3';
    await putAlarm('tagged-boto3');
    // Act
    const ran = await boto3(
      'c = boto3.client("cloudwatch", endpoint_url=sys.argv[1])\n' +
        'c.tag_resource(ResourceARN=sys.argv[2], Tags=[{"Key": "team", "Value": "a"}, {"Key": "tier", "Value": "b"}])\n' +
        'c.untag_resource(ResourceARN=sys.argv[2], TagKeys=["tier"])',
      t.emulator.endpoint,
      arn,
    );
    if (ran === undefined) return console.log('boto3 is not on this machine: skipped');
    const tags = await t.cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    // Assess
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });
});
