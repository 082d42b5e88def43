import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeNotificationConfigurationsCommand,
  DescribeScalingActivitiesCommand,
  EnableMetricsCollectionCommand,
  PutNotificationConfigurationCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { InstanceLauncher } from '../../../lib/emulator/autoscaling/instances';
import { awsErrorOf, settle } from '../../helpers/emulator';
import { snsClientFor } from '../sns/sns-fixture';
import {
  type AutoScalingTestEmulator,
  groupInput,
  startAutoScalingTestEmulator,
} from './autoscaling-fixture';

let t: AutoScalingTestEmulator;
beforeEach(async () => {
  t = await startAutoScalingTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

async function describeGroup(name: string) {
  const { AutoScalingGroups } = await t.as.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  return AutoScalingGroups?.[0];
}

/** A launcher that records what happens to each instance and lets the test decide when one exits. */
function recordingLauncher() {
  const log: string[] = [];
  const exits = new Map<string, () => void>();
  const launcher: InstanceLauncher = {
    launch: ({ instanceId }) => {
      log.push(`launch ${instanceId}`);
      const exited = new Promise<void>((resolve) => exits.set(instanceId, resolve));
      return {
        stop: () => {
          log.push(`SIGTERM ${instanceId}`);
          return exited;
        },
        kill: () => log.push(`SIGKILL ${instanceId}`),
      };
    },
  };
  return { launcher, log, exit: (id: string) => exits.get(id)?.() };
}

describe('Auto Scaling groups over the query protocol', () => {
  test('a new group launches its desired capacity, spread over the zones of its subnets', async () => {
    // Act
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 1, MaxSize: 4, DesiredCapacity: 2 }),
      ),
    );
    const group = await describeGroup('workers');

    // Assess
    expect(group).toMatchObject({
      AutoScalingGroupName: 'workers',
      AutoScalingGroupARN: expect.stringMatching(
        /^arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/workers$/,
      ),
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      DefaultCooldown: 300,
      HealthCheckType: 'EC2',
      VPCZoneIdentifier: 'subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f',
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
      CreatedTime: new Date(t.start),
    });
    expect(group?.Instances?.map((i) => [i.LifecycleState, i.AvailabilityZone, i.HealthStatus])).toEqual([
      ['InService', 'us-east-1a', 'Healthy'],
      ['InService', 'us-east-1b', 'Healthy'],
    ]);
    expect(group?.Instances?.[0].InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
  });

  test('activities are listed newest first, with causes in AWS’s words', async () => {
    // Prepare
    await t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', { MinSize: 1, MaxSize: 4 })));
    t.clock.advance(60_000);

    // Act
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 2 }));
    const { Activities } = await t.as.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'workers' }),
    );

    // Assess
    expect(
      Activities?.map((a) => [a.Description?.replace(/i-\w+/, 'i-…'), a.StatusCode, a.Progress]),
    ).toEqual([
      ['Launching a new EC2 instance: i-…', 'Successful', 100],
      ['Launching a new EC2 instance: i-…', 'Successful', 100],
    ]);
    expect(Activities?.[0].Cause).toBe(
      'At 2026-01-01T00:01:00Z a user request explicitly set group desired capacity changing the desired capacity from 1 to 2.  At 2026-01-01T00:01:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2.',
    );
    expect(JSON.parse(Activities?.[0].Details as string)).toEqual({
      'Subnet ID': 'subnet-0aaa1111bbbb2222c',
      'Availability Zone': 'us-east-1b',
    });
    expect(t.emulator.autoscaling.desiredCapacityHistory('workers').map((h) => h.desiredCapacity)).toEqual([
      1, 2,
    ]);
  });

  test('UpdateAutoScalingGroup: a higher minimum (or lower maximum) carries the desired capacity along', async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 1, MaxSize: 4, DesiredCapacity: 2 }),
      ),
    );

    // Act
    await t.as.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'workers', MinSize: 3 }));
    const raised = (await describeGroup('workers'))?.DesiredCapacity;
    await t.as.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'workers', MinSize: 0, MaxSize: 1 }),
    );
    const lowered = await describeGroup('workers');

    // Assess
    expect(raised).toBe(3);
    expect(lowered?.DesiredCapacity).toBe(1);
    expect(lowered?.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(1);
  });

  test.each([
    [{ MinSize: 2, MaxSize: 1 }, 'Max bound, 1, must be greater than or equal to min bound, 2'],
    [
      { MinSize: 1, MaxSize: 3, DesiredCapacity: 5 },
      'Desired capacity:5 must be between the specified min size:1 and max size:3',
    ],
  ])('CreateAutoScalingGroup %j: ValidationError', async (sizes, message) => {
    const error = await awsErrorOf(t.as.send(new CreateAutoScalingGroupCommand(groupInput('bad', sizes))));

    expect(error).toMatchObject({ name: 'ValidationError', status: 400, message });
  });

  test('errors with AWS’s codes and messages', async () => {
    // Prepare
    await t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', { MinSize: 1, MaxSize: 3 })));

    // Act
    const errors = await Promise.all([
      awsErrorOf(
        t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', { MinSize: 1, MaxSize: 3 }))),
      ),
      awsErrorOf(
        t.as.send(
          new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'no-template', MinSize: 0, MaxSize: 1 }),
        ),
      ),
      awsErrorOf(
        t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 4 })),
      ),
      awsErrorOf(
        t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 0 })),
      ),
      awsErrorOf(
        t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'nope', DesiredCapacity: 1 })),
      ),
      awsErrorOf(t.as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'workers' }))),
    ]);

    // Assess
    expect(errors.map((e) => [e.name, e.message])).toEqual([
      [
        'AlreadyExistsFault',
        'AutoScalingGroup by this name already exists - A group with the name workers already exists',
      ],
      [
        'ValidationError',
        'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
      ],
      ['ValidationError', 'New SetDesiredCapacity value 4 is above max value 3 for the AutoScalingGroup.'],
      ['ValidationError', 'New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.'],
      ['ValidationError', 'AutoScalingGroup name not found - AutoScalingGroup nope not found'],
      [
        'ResourceInUseFault',
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
      ],
    ]);
  });

  test('an unknown action and a malformed number get query-protocol errors (any signature is accepted)', async () => {
    const post = (body: string) =>
      fetch(t.emulator.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // signed for Auto Scaling: the credential scope names the service
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/autoscaling/aws4_request, SignedHeaders=host, Signature=0',
        },
        body,
      }).then(async (r) => ({ status: r.status, text: await r.text() }));

    const unknown = await post('Action=LaunchRocket&Version=2011-01-01&AutoScalingGroupName=x');
    const malformed = await post(
      'Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=x&DesiredCapacity=many',
    );

    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('<Code>InvalidAction</Code>');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain(
      '<Message>1 validation error detected: Value &apos;many&apos; at &apos;desiredCapacity&apos; failed to satisfy constraint: Member must be an integer</Message>',
    );
  });

  test('ForceDelete stops every instance (SIGTERM) and the group goes once they have exited', async () => {
    // Prepare
    const { launcher, log, exit } = recordingLauncher();
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 0, MaxSize: 2, DesiredCapacity: 0 }),
      ),
    );
    t.emulator.autoscaling.setInstanceLauncher('workers', launcher);
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 2 }));
    const ids = (await describeGroup('workers'))?.Instances?.map((i) => i.InstanceId as string) ?? [];

    // Act
    await t.as.send(
      new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'workers', ForceDelete: true }),
    );
    const whileStopping = await describeGroup('workers');
    ids.forEach((id) => exit(id));
    await settle();

    // Assess
    expect(log).toEqual([...ids.map((id) => `launch ${id}`), ...ids.map((id) => `SIGTERM ${id}`)]);
    expect(whileStopping?.Status).toBe('Delete in progress');
    expect(whileStopping?.Instances?.map((i) => i.LifecycleState)).toEqual(['Terminating', 'Terminating']);
    expect(await describeGroup('workers')).toBeUndefined();
  });

  test('an instance that does not exit within the shutdown grace (120 s) is powered off', async () => {
    // Prepare
    const { launcher, log } = recordingLauncher();
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 0, MaxSize: 2, DesiredCapacity: 0 }),
      ),
    );
    t.emulator.autoscaling.setInstanceLauncher('workers', launcher);
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 1 }));
    const [{ InstanceId: id }] = (await describeGroup('workers'))?.Instances ?? [];

    // Act
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 0 }));
    t.clock.advance(119_999);
    const before = [...log];
    t.clock.advance(1);

    // Assess
    expect(before).toEqual([`launch ${id}`, `SIGTERM ${id}`]);
    expect(log).toEqual([`launch ${id}`, `SIGTERM ${id}`, `SIGKILL ${id}`]);
    expect((await describeGroup('workers'))?.Instances).toEqual([]);
  });

  test('TerminateInstanceInAutoScalingGroup: replaced, or not when the desired capacity is decremented', async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 0, MaxSize: 3, DesiredCapacity: 2 }),
      ),
    );
    const [first, second] = (await describeGroup('workers'))?.Instances ?? [];

    // Act
    await t.as.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: first.InstanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    const replaced = await describeGroup('workers');
    await t.as.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: second.InstanceId,
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    const shrunk = await describeGroup('workers');
    const { AutoScalingInstances } = await t.as.send(new DescribeAutoScalingInstancesCommand({}));

    // Assess
    expect(replaced?.DesiredCapacity).toBe(2);
    expect(replaced?.Instances?.map((i) => i.InstanceId)).not.toContain(first.InstanceId);
    expect(shrunk?.DesiredCapacity).toBe(1);
    expect(AutoScalingInstances).toHaveLength(1);
    expect(AutoScalingInstances?.[0]).toMatchObject({
      AutoScalingGroupName: 'workers',
      LifecycleState: 'InService',
    });
  });

  test('launch and termination notifications reach the topic, in AWS’s message format', async () => {
    // Prepare
    const sns = snsClientFor(t.emulator.endpoint);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fleet-events' }));
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'fleet-events' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:fleet-events',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    sns.destroy();
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 0, MaxSize: 2, DesiredCapacity: 0 }),
      ),
    );
    await t.as.send(
      new PutNotificationConfigurationCommand({
        AutoScalingGroupName: 'workers',
        TopicARN: TopicArn,
        NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_TERMINATE'],
      }),
    );

    // Act
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 1 }));
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 0 }));
    await t.emulator.idle();
    const { Messages } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const { NotificationConfigurations } = await t.as.send(new DescribeNotificationConfigurationsCommand({}));

    // Assess
    const events = (Messages ?? []).map((m) => JSON.parse(m.Body as string));
    expect(events.map((e) => [e.Event, e.Service, e.AutoScalingGroupName])).toEqual([
      ['autoscaling:EC2_INSTANCE_LAUNCH', 'AWS Auto Scaling', 'workers'],
      ['autoscaling:EC2_INSTANCE_TERMINATE', 'AWS Auto Scaling', 'workers'],
    ]);
    expect(events[0].EC2InstanceId).toBe(events[1].EC2InstanceId);
    expect(events[0].Description).toBe(`Launching a new EC2 instance: ${events[0].EC2InstanceId}`);
    expect(NotificationConfigurations).toHaveLength(2);
  });

  test('a group whose name makes the subject longer than SNS allows still notifies, the subject cut to 100', async () => {
    // Prepare: AWS's subject is `Auto Scaling: termination for group "<name>"`, 105 characters for this name
    const name = `workers-${'x'.repeat(62)}`;
    const sns = snsClientFor(t.emulator.endpoint);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'long-group-events' }));
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'long-group-events' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:long-group-events',
      }),
    );
    sns.destroy();
    await t.as.send(
      new CreateAutoScalingGroupCommand(groupInput(name, { MinSize: 0, MaxSize: 2, DesiredCapacity: 1 })),
    );
    await t.as.send(
      new PutNotificationConfigurationCommand({
        AutoScalingGroupName: name,
        TopicARN: TopicArn,
        NotificationTypes: ['autoscaling:EC2_INSTANCE_TERMINATE'],
      }),
    );

    // Act
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 0 }));
    await t.emulator.idle();
    const { Messages } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));

    // Assess
    const envelopes = (Messages ?? []).map((m) => JSON.parse(m.Body as string));
    expect(envelopes).toHaveLength(1);
    expect(envelopes[0].Subject).toBe(`Auto Scaling: termination for group "${name}"`.slice(0, 100));
    expect(JSON.parse(envelopes[0].Message)).toMatchObject({
      Event: 'autoscaling:EC2_INSTANCE_TERMINATE',
      AutoScalingGroupName: name,
    });
  });

  test('group metrics: each emulated minute, GroupDesiredCapacity and GroupInServiceInstances in AWS/AutoScaling', async () => {
    // Prepare
    await t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', { MinSize: 1, MaxSize: 4 })));
    await t.as.send(
      new EnableMetricsCollectionCommand({ AutoScalingGroupName: 'workers', Granularity: '1Minute' }),
    );

    // Act
    t.atMinute(1);
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 3 }));
    t.atMinute(2);
    const query = (id: string, metricName: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/AutoScaling',
          MetricName: metricName,
          Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'workers' }],
        },
        Period: 60,
        Stat: 'Average',
      },
    });
    const { MetricDataResults } = await t.cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t.start),
        EndTime: new Date(t.start + 120_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          query('desired', 'GroupDesiredCapacity'),
          query('inService', 'GroupInServiceInstances'),
        ],
      }),
    );

    // Assess
    expect(MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([
      ['desired', [1, 3]],
      ['inService', [1, 3]],
    ]);
    expect((await describeGroup('workers'))?.EnabledMetrics).toHaveLength(8);
  });

  test('DescribeAutoScalingGroups pages with MaxRecords and NextToken', async () => {
    for (const name of ['a', 'b', 'c']) {
      await t.as.send(new CreateAutoScalingGroupCommand(groupInput(name, { MinSize: 0, MaxSize: 1 })));
    }

    const first = await t.as.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2 }));
    const second = await t.as.send(
      new DescribeAutoScalingGroupsCommand({ MaxRecords: 2, NextToken: first.NextToken }),
    );

    expect(first.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual(['a', 'b']);
    expect(second.AutoScalingGroups?.map((g) => g.AutoScalingGroupName)).toEqual(['c']);
    expect(second.NextToken).toBeUndefined();
  });
});
