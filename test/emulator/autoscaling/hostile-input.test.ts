/**
 * Hostile single requests: each gets AWS's 4xx within a second, the emulator keeps serving, and nothing the
 * request touched has changed.
 */
import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DeletePolicyCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeNotificationConfigurationsCommand,
  DescribePoliciesCommand,
  ExecutePolicyCommand,
  PutNotificationConfigurationCommand,
  PutScalingPolicyCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { LOCAL_MAX_GROUP_SIZE } from '../../../lib/emulator/autoscaling/service';
import { awsErrorOf } from '../../helpers/emulator';
import { type RawResponse, rawRequest, signedFor } from '../../helpers/raw-http';
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

/** Real time a call takes (the manual clock does not move). */
async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

/** A query-protocol POST with a body of our own making (what the SDK would refuse to send). */
function rawQuery(body: string): Promise<RawResponse> {
  return rawRequest(t.emulator.endpoint, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedFor('autoscaling') },
    body,
  });
}

const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

async function describeGroup(name = 'workers') {
  const { AutoScalingGroups } = await t.as.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  return AutoScalingGroups?.[0];
}

async function createGroup(sizes = { MinSize: 1, MaxSize: 4, DesiredCapacity: 2 }) {
  await t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', sizes)));
}

describe('capacities are bounded before anything is launched', () => {
  test('CreateAutoScalingGroup for 10,000,000 instances is a ValidationError naming the local limit, and no group', async () => {
    // Act
    const { value: error, ms } = await timed(
      awsErrorOf(
        t.as.send(
          new CreateAutoScalingGroupCommand(
            groupInput('workers', { MinSize: 0, MaxSize: 10_000_000, DesiredCapacity: 10_000_000 }),
          ),
        ),
      ),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: `MaxSize 10000000 is above the emulator's local limit of ${LOCAL_MAX_GROUP_SIZE} instances per AutoScalingGroup: each local instance is a process on this machine.`,
    });
    expect(ms).toBeLessThan(1000);
    expect(await describeGroup()).toBeUndefined();
  });

  test('AWS checks come first: a desired capacity outside min and max, a max below the min', async () => {
    // Act
    const desired = await awsErrorOf(
      t.as.send(
        new CreateAutoScalingGroupCommand(
          groupInput('workers', { MinSize: 1, MaxSize: 3, DesiredCapacity: 10_000_000 }),
        ),
      ),
    );
    const bounds = await awsErrorOf(
      t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', { MinSize: 5, MaxSize: 2 }))),
    );

    // Assess
    expect(desired).toMatchObject({
      name: 'ValidationError',
      message: 'Desired capacity:10000000 must be between the specified min size:1 and max size:3',
    });
    expect(bounds).toMatchObject({
      name: 'ValidationError',
      message: 'Max bound, 2, must be greater than or equal to min bound, 5',
    });
  });

  test('UpdateAutoScalingGroup to 10,000,000 instances is refused and leaves the group as it was', async () => {
    // Prepare
    await createGroup();

    // Act
    const { value: error, ms } = await timed(
      awsErrorOf(
        t.as.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: 'workers',
            MaxSize: 10_000_000,
            DesiredCapacity: 10_000_000,
          }),
        ),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(error.message).toContain(`local limit of ${LOCAL_MAX_GROUP_SIZE} instances`);
    expect(ms).toBeLessThan(1000);
    expect(await describeGroup()).toMatchObject({ MinSize: 1, MaxSize: 4, DesiredCapacity: 2 });
    expect((await describeGroup())?.Instances).toHaveLength(2);
  });

  test('SetDesiredCapacity of 10,000,000 is above the max, in AWS words', async () => {
    // Prepare
    await createGroup();

    // Act
    const { value: error, ms } = await timed(
      awsErrorOf(
        t.as.send(
          new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 10_000_000 }),
        ),
      ),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 10000000 is above max value 4 for the AutoScalingGroup.',
    });
    expect(ms).toBeLessThan(1000);
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: 2 });
  });

  test('a policy asking for 10,000,000 instances stops at MaxSize', async () => {
    // Prepare
    await createGroup({ MinSize: 0, MaxSize: LOCAL_MAX_GROUP_SIZE, DesiredCapacity: 0 });
    await t.as.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'workers',
        PolicyName: 'flood',
        AdjustmentType: 'ExactCapacity',
        ScalingAdjustment: 10_000_000,
      }),
    );

    // Act
    const { ms } = await timed(
      t.as.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'workers', PolicyName: 'flood' })),
    );

    // Assess
    expect(ms).toBeLessThan(1000);
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: LOCAL_MAX_GROUP_SIZE });
  });
});

describe('every member is checked before anything changes', () => {
  test('an update with one bad member changes nothing, not even the members before it', async () => {
    // Prepare
    await createGroup();

    // Act
    const cooldown = await awsErrorOf(
      t.as.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: 'workers',
          MinSize: 3,
          MaxSize: 6,
          DefaultCooldown: -1,
        }),
      ),
    );
    const grace = await awsErrorOf(
      t.as.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: 'workers',
          MinSize: 3,
          HealthCheckGracePeriod: -5,
        }),
      ),
    );

    // Assess
    expect(cooldown).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '-1' at 'defaultCooldown' failed to satisfy constraint: Member must have value greater than or equal to 0",
    });
    expect(grace).toMatchObject({ name: 'ValidationError' });
    expect(await describeGroup()).toMatchObject({
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      DefaultCooldown: 300,
      HealthCheckGracePeriod: 0,
    });
  });

  test('UpdateAutoScalingGroup refuses a negative MinSize', async () => {
    // Prepare
    await createGroup();

    // Act
    const error = await awsErrorOf(
      t.as.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'workers', MinSize: -1 })),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '-1' at 'minSize' failed to satisfy constraint: Member must have value greater than or equal to 0",
    });
    expect(await describeGroup()).toMatchObject({ MinSize: 1 });
  });

  test('a target tracking policy CloudWatch cannot alarm on leaves no policy and no alarm behind', async () => {
    // Prepare
    await createGroup();

    // Act: a day per datapoint passes for the 3-datapoint high alarm, not for the 15-datapoint low one
    const error = await awsErrorOf(
      t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'workers',
          PolicyName: 'daily',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            TargetValue: 10,
            CustomizedMetricSpecification: {
              Namespace: 'Shop',
              MetricName: 'Backlog',
              Statistic: 'Average',
              Period: 86_400,
            },
          },
        }),
      ),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: 'The evaluation period (Period * EvaluationPeriods) must not exceed 7 days.',
    });
    const { ScalingPolicies } = await t.as.send(new DescribePoliciesCommand({}));
    expect(ScalingPolicies).toEqual([]);
    const { MetricAlarms } = await t.cw.send(new DescribeAlarmsCommand({}));
    expect(MetricAlarms).toEqual([]);
  });

  test('too many tags, or a tag key over 128 characters, creates no group', async () => {
    // Act
    const many = await awsErrorOf(
      t.as.send(
        new CreateAutoScalingGroupCommand(
          groupInput(
            'workers',
            { MinSize: 1, MaxSize: 2 },
            { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) },
          ),
        ),
      ),
    );
    const long = await awsErrorOf(
      t.as.send(
        new CreateAutoScalingGroupCommand(
          groupInput('workers', { MinSize: 1, MaxSize: 2 }, { Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }),
        ),
      ),
    );

    // Assess
    expect(many).toMatchObject({ name: 'LimitExceededFault', status: 400 });
    expect(long).toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
    });
    expect(await describeGroup()).toBeUndefined();
  });

  test("AWS's fixed quotas: 50 policies and 10 notification topics a group", async () => {
    // Prepare
    await createGroup();
    for (let i = 0; i < 50; i++) {
      await t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'workers',
          PolicyName: `p${i}`,
          AdjustmentType: 'ChangeInCapacity',
          ScalingAdjustment: 1,
        }),
      );
    }
    for (let i = 0; i < 10; i++) {
      await t.as.send(
        new PutNotificationConfigurationCommand({
          AutoScalingGroupName: 'workers',
          TopicARN: `arn:aws:sns:us-east-1:000000000000:t${i}`,
          NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH'],
        }),
      );
    }

    // Act
    const policies = await awsErrorOf(
      t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'workers',
          PolicyName: 'p50',
          AdjustmentType: 'ChangeInCapacity',
          ScalingAdjustment: 1,
        }),
      ),
    );
    const topics = await awsErrorOf(
      t.as.send(
        new PutNotificationConfigurationCommand({
          AutoScalingGroupName: 'workers',
          TopicARN: 'arn:aws:sns:us-east-1:000000000000:t10',
          NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH'],
        }),
      ),
    );

    // Assess
    expect(policies).toMatchObject({ name: 'LimitExceededFault', status: 400 });
    expect(topics).toMatchObject({ name: 'LimitExceededFault', status: 400 });
    const { ScalingPolicies } = await t.as.send(
      new DescribePoliciesCommand({ AutoScalingGroupName: 'workers', MaxRecords: 100 }),
    );
    expect(ScalingPolicies).toHaveLength(50);
  });

  test('a step scaling policy of 21 steps is refused: AWS takes at most 20', async () => {
    // Prepare
    await createGroup();

    // Act
    const steps = await awsErrorOf(
      t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'workers',
          PolicyName: 'steps',
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: Array.from({ length: 21 }, (_, i) => ({
            MetricIntervalLowerBound: i,
            ...(i < 20 ? { MetricIntervalUpperBound: i + 1 } : {}),
            ScalingAdjustment: 1,
          })),
        }),
      ),
    );

    // Assess
    expect(steps).toMatchObject({
      name: 'ValidationError',
      message: 'There can be at most 20 step adjustments per scaling policy',
    });
    const { ScalingPolicies } = await t.as.send(new DescribePoliciesCommand({}));
    expect(ScalingPolicies).toEqual([]);
  });

  test('TerminateInstanceInAutoScalingGroup without InstanceId names the missing member', async () => {
    // Act
    const error = await awsErrorOf(
      t.as.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: undefined as unknown as string,
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be null",
    });
  });

  test('a policy whose alarm someone already deleted can still be deleted, and so can its group', async () => {
    // Prepare
    await createGroup();
    const alarms: string[][] = [];
    for (const name of ['first', 'second', 'third']) {
      const { Alarms } = await t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'workers',
          PolicyName: name,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            TargetValue: 50,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
          },
        }),
      );
      alarms.push((Alarms ?? []).map((a) => a.AlarmName as string));
    }
    await t.cw.send(new DeleteAlarmsCommand({ AlarmNames: [alarms[0][1], alarms[2][0]] }));

    // Act
    await t.as.send(new DeletePolicyCommand({ AutoScalingGroupName: 'workers', PolicyName: 'first' }));
    await t.as.send(
      new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'workers', ForceDelete: true }),
    );

    // Assess
    expect(await describeGroup()).toBeUndefined();
    expect((await t.cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
  });
});

describe('bounded work per request', () => {
  test('a list of 20,000 members is read in linear time (it blocked the event loop for many seconds)', async () => {
    // Prepare
    let body =
      'Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=zones' +
      '&LaunchTemplate.LaunchTemplateId=lt-1&MinSize=0&MaxSize=1';
    for (let i = 1; i <= 20_000; i++) body += `&AvailabilityZones.member.${i}=us-east-1a`;

    // Act
    const { value: response, ms } = await timed(rawQuery(body));

    // Assess
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(1000);
  });

  test.each([
    ['an integer of 1 MiB of digits', `MaxSize=${'9'.repeat(1 << 20)}`, 'maxSize'],
    ['a hexadecimal integer', 'MaxSize=0x10', 'maxSize'],
    ['an integer above 32 bits', 'MaxSize=4294967296', 'maxSize'],
  ])('%s is a ValidationError in under a second', async (_what, member, path) => {
    // Prepare
    const body =
      'Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=workers' +
      `&LaunchTemplate.LaunchTemplateId=lt-1&VPCZoneIdentifier=subnet-1&MinSize=0&${member}`;

    // Act
    const { value: response, ms } = await timed(rawQuery(body));

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'ValidationError']);
    expect(response.body).toContain(
      `at &apos;${path}&apos; failed to satisfy constraint: Member must be an integer`,
    );
    expect(ms).toBeLessThan(1000);
    expect(await describeGroup()).toBeUndefined();
  });

  test('a fraction where AWS takes an Integer is a ValidationError naming the member, even nested', async () => {
    // Prepare
    await createGroup();

    // Act
    const top = await awsErrorOf(
      t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'workers', DesiredCapacity: 1.5 })),
    );
    const nested = await awsErrorOf(
      t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'workers',
          PolicyName: 'steps',
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [{ MetricIntervalLowerBound: 0.5, ScalingAdjustment: 2.5 }],
        }),
      ),
    );

    // Assess: a double member (MetricIntervalLowerBound) takes the fraction
    expect(top).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '1.5' at 'desiredCapacity' failed to satisfy constraint: Member must be an integer",
    });
    expect(nested).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '2.5' at 'stepAdjustments.scalingAdjustment' failed to satisfy constraint: Member must be an integer",
    });
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: 2 });
  });

  test('a boolean that is neither true nor false is a ValidationError', async () => {
    // Prepare
    await createGroup();

    // Act
    const response = await rawQuery(
      'Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=workers&DesiredCapacity=3&HonorCooldown=yes',
    );

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'ValidationError']);
    expect(response.body).toContain(
      'at &apos;honorCooldown&apos; failed to satisfy constraint: Member must be a boolean',
    );
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: 2 });
  });

  test('a number of 1 MiB of digits that ends badly does not backtrack (ExecutePolicy MetricValue)', async () => {
    // Prepare
    await createGroup();
    const body =
      'Action=ExecutePolicy&Version=2011-01-01&AutoScalingGroupName=workers&PolicyName=p' +
      `&MetricValue=${'1'.repeat(1 << 20)}x&BreachThreshold=1`;

    // Act
    const { value: response, ms } = await timed(rawQuery(body));

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'ValidationError']);
    expect(response.body).toContain('Member must be a number');
    expect(ms).toBeLessThan(1000);
  });

  test('AWS list and page limits: 50 instance ids, 100 notification configurations a page', async () => {
    // Act
    const ids = await awsErrorOf(
      t.as.send(
        new DescribeAutoScalingInstancesCommand({
          InstanceIds: Array.from({ length: 51 }, (_, i) => `i-${i}`),
        }),
      ),
    );
    const page = await awsErrorOf(
      t.as.send(new DescribeNotificationConfigurationsCommand({ MaxRecords: 101 })),
    );

    // Assess
    expect(ids).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(ids.message).toContain('Member must have length less than or equal to 50');
    expect(page).toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '101' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100",
    });
  });
});
