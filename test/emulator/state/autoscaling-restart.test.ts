/**
 * `--state-dir` with Auto Scaling: a group created through the API comes back with its settings, tags, scaling
 * policies (their ARNs, so the alarms that run them still do), notifications and metrics collection, and launches
 * its desired capacity of instances again (new instance ids).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeNotificationConfigurationsCommand,
  DescribePoliciesCommand,
  EnableMetricsCollectionCommand,
  ExecutePolicyCommand,
  PutNotificationConfigurationCommand,
  PutScalingPolicyCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-autoscaling-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Clients {
  readonly autoscaling: AutoScalingClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
}

async function withEmulator<T>(
  clock: ManualClock,
  act: (clients: Clients, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory: dir });
  const config = {
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  const clients = {
    autoscaling: new AutoScalingClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
  try {
    return await act(clients, emulator);
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    await emulator.stop();
  }
}

/** The group as described, its instances apart; its policies, notifications and the policies' alarms. */
async function describeAll({ autoscaling, cloudwatch }: Clients) {
  const { AutoScalingGroups = [] } = await autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  const groups = AutoScalingGroups.map(({ Instances, ...group }) => ({
    ...group,
    instanceCount: Instances?.length,
  }));
  const { ScalingPolicies = [] } = await autoscaling.send(new DescribePoliciesCommand({}));
  const { NotificationConfigurations } = await autoscaling.send(
    new DescribeNotificationConfigurationsCommand({}),
  );
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({}));
  return {
    groups,
    policies: ScalingPolicies,
    notifications: NotificationConfigurations,
    alarms: MetricAlarms.map((a) => ({ name: a.AlarmName, actions: a.AlarmActions })),
  };
}

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps groups with their policies and capacity across a restart, %s', async (_label, snapshot) => {
  // Prepare: a tagged group scaled to 3, with a simple and a target tracking policy, a notification and
  // metrics collection; a second group deleted again
  const clock = new ManualClock(Date.parse('2026-11-21T09:00:00Z'));
  const before = await withEmulator(clock, async (clients, emulator) => {
    const { autoscaling, sns } = clients;
    for (const AutoScalingGroupName of ['workers', 'gone']) {
      await autoscaling.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName,
          LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
          VPCZoneIdentifier: 'subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f',
          MinSize: 1,
          MaxSize: 6,
          DesiredCapacity: 2,
          Tags: [{ Key: 'team', Value: 'ops', PropagateAtLaunch: true }],
        }),
      );
    }
    await autoscaling.send(
      new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'gone', ForceDelete: true }),
    );
    await autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 3 }),
    );
    await autoscaling.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'workers',
        PolicyName: 'add-one',
        AdjustmentType: 'ChangeInCapacity',
        ScalingAdjustment: 1,
        Cooldown: 0,
      }),
    );
    await autoscaling.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'workers',
        PolicyName: 'track-backlog',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          TargetValue: 10,
          CustomizedMetricSpecification: { Namespace: 'Shop', MetricName: 'Backlog', Statistic: 'Average' },
        },
      }),
    );
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'scaling' }));
    await autoscaling.send(
      new PutNotificationConfigurationCommand({
        AutoScalingGroupName: 'workers',
        TopicARN: TopicArn,
        NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH'],
      }),
    );
    await autoscaling.send(
      new EnableMetricsCollectionCommand({ AutoScalingGroupName: 'workers', Granularity: '1Minute' }),
    );
    clock.advance(60_000);
    if (snapshot) await emulator.persistence?.rewrite();
    return describeAll(clients);
  });
  expect(before.groups.map((g) => [g.AutoScalingGroupName, g.instanceCount])).toEqual([['workers', 3]]);
  expect(before.alarms.length).toBe(2);

  // Act: restart on the same directory
  await withEmulator(clock, async (clients) => {
    // Assert: the same group, policies, notifications, and alarms acting on the same policy ARNs
    const after = await describeAll(clients);
    expect(after).toEqual(before);
    const arns = new Set(after.policies.map((p) => p.PolicyARN));
    for (const alarm of after.alarms) for (const arn of alarm.actions ?? []) expect(arns.has(arn)).toBe(true);
    // and the restored policy scales the group
    await clients.autoscaling.send(
      new ExecutePolicyCommand({
        AutoScalingGroupName: 'workers',
        PolicyName: 'add-one',
        HonorCooldown: false,
      }),
    );
    const { AutoScalingGroups = [] } = await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['workers'] }),
    );
    expect(AutoScalingGroups[0].DesiredCapacity).toBe(4);
    expect(AutoScalingGroups[0].Instances).toHaveLength(4);
  });
});
