import {
  CreateAutoScalingGroupCommand,
  DeletePolicyCommand,
  DescribePoliciesCommand,
  EnableMetricsCollectionCommand,
  ExecutePolicyCommand,
  type PutScalingPolicyType,
  PutScalingPolicyCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  type ComparisonOperator,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { awsErrorOf } from '../../helpers/emulator';
import { minute } from '../cloudwatch/cloudwatch-fixture';
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

const desiredHistory = (group = 'workers') =>
  t.emulator.autoscaling.desiredCapacityHistory(group).map((h) => h.desiredCapacity);

async function createGroup(
  extra: Parameters<typeof groupInput>[2] = {},
  sizes = { MinSize: 1, MaxSize: 10 },
) {
  await t.as.send(new CreateAutoScalingGroupCommand(groupInput('workers', sizes, extra)));
}

async function putPolicy(input: Omit<PutScalingPolicyType, 'AutoScalingGroupName'>): Promise<string> {
  const { PolicyARN } = await t.as.send(
    new PutScalingPolicyCommand({ AutoScalingGroupName: 'workers', ...input }),
  );
  return PolicyARN as string;
}

/** An alarm on Shop/Backlog (Maximum over 1 minute) that runs `policyArn`. */
async function alarmOnBacklog(
  name: string,
  policyArn: string,
  threshold: number,
  comparison: ComparisonOperator,
) {
  await t.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Shop',
      MetricName: 'Backlog',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: comparison,
      AlarmActions: [policyArn],
    }),
  );
}

/** Records the backlog of minute `n`, then moves to the end of that minute (where alarms evaluate it). */
async function backlogAt(n: number, value: number) {
  await t.cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [{ MetricName: 'Backlog', Value: value, Timestamp: minute(t, n, 30) }],
    }),
  );
  t.atMinute(n + 1);
}

const OUT_STEPS = [
  { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 90, ScalingAdjustment: 1 },
  { MetricIntervalLowerBound: 90, MetricIntervalUpperBound: 490, ScalingAdjustment: 2 },
  { MetricIntervalLowerBound: 490, ScalingAdjustment: 4 },
];

describe('step scaling, run by CloudWatch alarms', () => {
  test('scales out by the step the breach falls in; warming instances are not current capacity', async () => {
    // Prepare: instances warm up for 3 minutes; the group's first one is warm at minute 3
    await createGroup({ DefaultInstanceWarmup: 180 });
    const out = await putPolicy({
      PolicyName: 'out',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Maximum',
      StepAdjustments: OUT_STEPS,
    });
    await alarmOnBacklog('high', out, 10, 'GreaterThanOrEqualToThreshold');
    t.atMinute(3);

    // Act
    await backlogAt(3, 50); // step 1: 1 + 1 = 2
    await backlogAt(4, 60); // step 1 again, the new one warming: still 1 + 1 = 2, nothing to add
    await backlogAt(5, 200); // step 2, one warming: 1 + 2 = 3, only the difference is added
    await backlogAt(6, 200); // the first new one has warmed up: 2 + 2 = 4
    await backlogAt(7, 5000); // step 3, two warming: 2 + 4 = 6

    // Assess
    expect(desiredHistory()).toEqual([1, 2, 3, 4, 6]);
    expect(
      t.emulator.autoscaling.desiredCapacityHistory('workers').map((h) => (h.timestamp - t.start) / 60_000),
    ).toEqual([0, 4, 6, 7, 8]);
    expect(t.emulator.autoscaling.desiredCapacityHistory('workers')[1].cause).toBe(
      'At 2026-01-01T00:04:00Z a monitor alarm high in state ALARM triggered policy out changing the desired capacity from 1 to 2.',
    );
  });

  test('scales in one step per minute while the alarm stays in ALARM, but never while instances warm up', async () => {
    // Prepare
    await createGroup({ DefaultInstanceWarmup: 180, DesiredCapacity: 4 });
    const inPolicy = await putPolicy({
      PolicyName: 'in',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    });
    await alarmOnBacklog('low', inPolicy, 0, 'LessThanOrEqualToThreshold');

    // Act: the 4 instances launched at minute 0 warm up until minute 3
    for (let n = 0; n < 7; n++) await backlogAt(n, 0);

    // Assess: minutes 1 and 2 blocked; 3, 4, 5 remove one each; then the minimum holds
    expect(desiredHistory()).toEqual([4, 3, 2, 1]);
    expect(
      t.emulator.autoscaling.desiredCapacityHistory('workers').map((h) => h.timestamp - t.start),
    ).toEqual([0, 180_000, 240_000, 300_000]);
  });

  test('ExactCapacity sets the group to the step’s size, within min and max', async () => {
    await createGroup({}, { MinSize: 1, MaxSize: 5 });
    const exact = await putPolicy({
      PolicyName: 'exact',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ExactCapacity',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 100, ScalingAdjustment: 3 },
        { MetricIntervalLowerBound: 100, ScalingAdjustment: 8 },
      ],
    });
    await alarmOnBacklog('high', exact, 10, 'GreaterThanOrEqualToThreshold');

    await backlogAt(0, 20);
    await backlogAt(1, 500);

    expect(desiredHistory()).toEqual([1, 3, 5]);
  });
});

describe('simple scaling', () => {
  test('waits for the cooldown after each scaling activity, although the alarm re-runs it every minute', async () => {
    // Prepare
    await createGroup();
    const simple = await putPolicy({
      PolicyName: 'simple',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 1,
      Cooldown: 180,
    });
    await alarmOnBacklog('high', simple, 10, 'GreaterThanThreshold');

    // Act
    for (let n = 0; n < 8; n++) await backlogAt(n, 100);

    // Assess: minutes 1, 4 and 7
    expect(desiredHistory()).toEqual([1, 2, 3, 4]);
    expect(
      t.emulator.autoscaling.desiredCapacityHistory('workers').map((h) => (h.timestamp - t.start) / 60_000),
    ).toEqual([0, 1, 4, 7]);
  });

  test('PercentChangeInCapacity with MinAdjustmentMagnitude, by ExecutePolicy', async () => {
    await createGroup({ DesiredCapacity: 4 });
    await putPolicy({
      PolicyName: 'percent',
      AdjustmentType: 'PercentChangeInCapacity',
      ScalingAdjustment: 10,
      MinAdjustmentMagnitude: 2,
    });

    await t.as.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'workers', PolicyName: 'percent' }));

    // 10% of 4 is 0.4: rounded to 1, raised to the minimum magnitude 2
    expect(desiredHistory()).toEqual([4, 6]);
  });
});

describe('target tracking', () => {
  const backlogPerInstance = {
    TargetValue: 50,
    CustomizedMetricSpecification: {
      Metrics: [
        {
          Id: 'backlog',
          ReturnData: false,
          MetricStat: {
            Metric: { Namespace: 'Shop', MetricName: 'Backlog' },
            Stat: 'Sum',
          },
        },
        {
          Id: 'instances',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/AutoScaling',
              MetricName: 'GroupInServiceInstances',
              Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'workers' }],
            },
            Stat: 'Average',
          },
        },
        { Id: 'perInstance', Expression: 'backlog / instances', ReturnData: true },
      ],
    },
  };

  test('creates its two alarms, as AWS does: AlarmHigh (3 minutes above) and AlarmLow (15 minutes below 90%)', async () => {
    // Prepare
    await createGroup();

    // Act
    const { Alarms, PolicyARN } = await t.as.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'workers',
        PolicyName: 'backlog-per-instance',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: backlogPerInstance,
      }),
    );
    const { MetricAlarms } = await t.cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-workers-' }),
    );

    // Assess
    expect(Alarms?.map((a) => a.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-workers-AlarmHigh-[0-9a-f-]{36}$/),
      expect.stringMatching(/^TargetTracking-workers-AlarmLow-[0-9a-f-]{36}$/),
    ]);
    const byName = new Map(MetricAlarms?.map((a) => [a.AlarmName, a]));
    expect(byName.get(Alarms?.[0].AlarmName)).toMatchObject({
      Threshold: 50,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      AlarmActions: [PolicyARN],
      AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${PolicyARN}.`,
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Id: 'perInstance', Expression: 'backlog / instances' }),
      ]),
    });
    expect(byName.get(Alarms?.[1].AlarmName)).toMatchObject({
      Threshold: 45,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 15,
    });
  });

  test('scales to backlog ÷ target when high, and back to the minimum after 15 low minutes', async () => {
    // Prepare
    await createGroup({ DefaultInstanceWarmup: 60 });
    await t.as.send(
      new EnableMetricsCollectionCommand({ AutoScalingGroupName: 'workers', Granularity: '1Minute' }),
    );
    await putPolicy({
      PolicyName: 'backlog-per-instance',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: backlogPerInstance,
    });

    // Act: 400 jobs wait for 3 minutes (400 per instance), then none
    for (let n = 0; n < 3; n++) await backlogAt(n, 400);
    const afterSpike = desiredHistory();
    for (let n = 3; n < 19; n++) await backlogAt(n, 0);

    // Assess
    // CloudWatch evaluates a new alarm on the datapoints it has: AlarmHigh fires on the first minute
    expect(afterSpike).toEqual([1, 8]);
    expect(desiredHistory()).toEqual([1, 8, 1]);
    expect(
      t.emulator.autoscaling.desiredCapacityHistory('workers').map((h) => (h.timestamp - t.start) / 60_000),
    ).toEqual([0, 1, 18]);
  });

  test('DisableScaleIn creates only AlarmHigh; DeletePolicy removes the policy and its alarms', async () => {
    await createGroup();
    const { Alarms } = await t.as.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'workers',
        PolicyName: 'out-only',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: { ...backlogPerInstance, DisableScaleIn: true },
      }),
    );

    await t.as.send(new DeletePolicyCommand({ AutoScalingGroupName: 'workers', PolicyName: 'out-only' }));
    const { MetricAlarms } = await t.cw.send(new DescribeAlarmsCommand({}));
    const { ScalingPolicies } = await t.as.send(
      new DescribePoliciesCommand({ AutoScalingGroupName: 'workers' }),
    );

    expect(Alarms?.map((a) => a.AlarmName)).toEqual([expect.stringContaining('-AlarmHigh-')]);
    expect(MetricAlarms).toEqual([]);
    expect(ScalingPolicies).toEqual([]);
  });
});

describe('PutScalingPolicy validation', () => {
  beforeEach(() => createGroup());

  test.each([
    [
      {
        PolicyType: 'StepScaling',
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 10, ScalingAdjustment: 2 },
        ],
      },
      'Step adjustment intervals cannot overlap.',
    ],
    [
      { AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1, MinAdjustmentMagnitude: 2 },
      'MinAdjustmentMagnitude is only supported with PercentChangeInCapacity adjustment type.',
    ],
    [{ ScalingAdjustment: 1 }, 'AdjustmentType is required for SimpleScaling policies.'],
    [
      {
        PolicyType: 'StepScaling',
        AdjustmentType: 'ExactCapacity',
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: -1 }],
      },
      'ScalingAdjustment must be non-negative for ExactCapacity adjustment type.',
    ],
    [
      { PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { TargetValue: 50 } },
      'Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.',
    ],
  ])('%j', async (input, message) => {
    const error = await awsErrorOf(putPolicy({ PolicyName: 'bad', ...(input as object) }));

    expect(error).toMatchObject({ name: 'ValidationError', status: 400, message });
  });

  test('DescribePolicies lists a step policy as it was put', async () => {
    const arn = await putPolicy({
      PolicyName: 'out',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: OUT_STEPS,
      EstimatedInstanceWarmup: 90,
    });

    const { ScalingPolicies } = await t.as.send(new DescribePoliciesCommand({ PolicyNames: ['out'] }));

    expect(arn).toMatch(
      /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/workers:policyName\/out$/,
    );
    expect(ScalingPolicies).toEqual([
      {
        AutoScalingGroupName: 'workers',
        PolicyName: 'out',
        PolicyARN: arn,
        PolicyType: 'StepScaling',
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: OUT_STEPS,
        MetricAggregationType: 'Average',
        EstimatedInstanceWarmup: 90,
        Alarms: [],
        Enabled: true,
      },
    ]);
  });
});
