/**
 * Every member of every request the emulator serves is honoured, or refused with a ValidationError that names it:
 * none is silently dropped (the audit against the SDK's own Smithy schemas is the first test).
 */
import * as sdk from '@aws-sdk/client-cloudwatch';
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  ListTagsForResourceCommand,
  type PutMetricAlarmInput,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { CLOUDWATCH_OPERATIONS, CLOUDWATCH_WIRE } from '../../../lib/emulator/protocol/cloudwatch';
import { awsErrorOf } from '../../helpers/emulator';
import { type CloudWatchTestEmulator, minute, startCloudWatchTestEmulator } from './cloudwatch-fixture';

const OPERATIONS = [
  'PutMetricData',
  'GetMetricStatistics',
  'GetMetricData',
  'ListMetrics',
  'PutMetricAlarm',
  'DescribeAlarms',
  'DescribeAlarmsForMetric',
  'DeleteAlarms',
  'SetAlarmState',
  'EnableAlarmActions',
  'DisableAlarmActions',
  'DescribeAlarmHistory',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
];

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

function alarm(name: string, extra: Partial<PutMetricAlarmInput> = {}) {
  return t.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Shop',
      MetricName: 'Load',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      ...extra,
    }),
  );
}

async function described(name: string) {
  const result = await t.cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return result.MetricAlarms?.[0] ?? {};
}

describe('the wire reads every member the SDK sends', () => {
  it.each(OPERATIONS)('%s', (operation) => {
    // Prepare: the SDK's schema is [kind, namespace, name, traits, member names, member schemas]
    const schema = (sdk as unknown as Record<string, unknown[]>)[`${operation}Input$`];
    // Act: the wire decodes the members of the operation's input schema in the model it is built from
    const model = CLOUDWATCH_WIRE.model.operations.get(operation);
    const read = model && [...model.input.structIterator()].map(([member]) => member);
    // Assess
    expect(CLOUDWATCH_OPERATIONS).toContain(operation);
    expect(read).toBeDefined();
    expect((schema[4] as string[]).filter((m) => !read?.includes(m))).toEqual([]);
  });
});

describe('PutMetricAlarm', () => {
  it('stores every honoured member and returns it from DescribeAlarms and ListTagsForResource', async () => {
    // Act
    await alarm('full', {
      AlarmDescription: 'load is high',
      ActionsEnabled: false,
      OKActions: ['arn:aws:sns:us-east-1:000000000000:ok'],
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarm'],
      InsufficientDataActions: ['arn:aws:sns:us-east-1:000000000000:nodata'],
      Statistic: undefined,
      ExtendedStatistic: 'p90',
      Dimensions: [{ Name: 'Store', Value: 'north' }],
      Period: 300,
      Unit: 'Count',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 12.5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      EvaluateLowSampleCountPercentile: 'ignore',
      Tags: [{ Key: 'team', Value: 'a' }],
      EvaluationWindow: { WallClockWindow: { Timezone: '+05:30' } },
      WarmUpConfiguration: {
        WarmUpPeriodDurationInMinutes: 10,
        OnlyStartEvaluatingAfterWarmUpPeriodEnds: true,
      },
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: false, IncludedTagKeys: ['team'] } },
    });
    const got = await described('full');
    const tags = await t.cw.send(new ListTagsForResourceCommand({ ResourceARN: got.AlarmArn }));
    // Assess
    expect(got).toMatchObject({
      AlarmDescription: 'load is high',
      ActionsEnabled: false,
      OKActions: ['arn:aws:sns:us-east-1:000000000000:ok'],
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarm'],
      InsufficientDataActions: ['arn:aws:sns:us-east-1:000000000000:nodata'],
      MetricName: 'Load',
      Namespace: 'Shop',
      ExtendedStatistic: 'p90',
      Dimensions: [{ Name: 'Store', Value: 'north' }],
      Period: 300,
      Unit: 'Count',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 12.5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      EvaluateLowSampleCountPercentile: 'ignore',
      EvaluationWindow: { WallClockWindow: { Timezone: '+05:30' } },
      WarmUpConfiguration: {
        WarmUpPeriodDurationInMinutes: 10,
        OnlyStartEvaluatingAfterWarmUpPeriodEnds: true,
      },
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: false, IncludedTagKeys: ['team'] } },
    });
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });

  it('returns Metrics with their Period and AccountId, and a SlidingWindow', async () => {
    // Act
    await t.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'math',
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationWindow: { SlidingWindow: {} },
        Metrics: [
          {
            Id: 'm1',
            MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'A' }, Period: 60, Stat: 'Sum' },
            ReturnData: false,
            AccountId: '000000000000',
          },
          { Id: 'e1', Expression: 'm1 * 2', Label: 'double', Period: 60 },
        ],
      }),
    );
    const got = await described('math');
    // Assess
    expect(got.EvaluationWindow).toEqual({ SlidingWindow: {} });
    expect(got.Metrics).toEqual([
      expect.objectContaining({ Id: 'm1', AccountId: '000000000000', ReturnData: false }),
      expect.objectContaining({ Id: 'e1', Expression: 'm1 * 2', Label: 'double', Period: 60 }),
    ]);
  });

  it('refuses each member it cannot honour with a ValidationError naming it', async () => {
    // Act
    const refusals = await Promise.all([
      awsErrorOf(alarm('x', { EvaluationCriteria: { PromQLCriteria: { Query: 'up == 0' } } })),
      awsErrorOf(alarm('x', { EvaluationInterval: 60 })),
      awsErrorOf(alarm('x', { ThresholdMetricId: 'ad1' })),
      awsErrorOf(alarm('x', { ActionConfiguration: { AlarmTagsPropagation: { Enabled: true } } })),
      awsErrorOf(alarm('x', { EvaluationWindow: { WallClockWindow: { Timezone: 'America/New_York' } } })),
      awsErrorOf(alarm('x', { Period: 420, EvaluationWindow: { WallClockWindow: {} } })),
      awsErrorOf(
        alarm('x', {
          Namespace: undefined,
          MetricName: undefined,
          Statistic: undefined,
          Period: undefined,
          Metrics: [
            {
              Id: 'm1',
              MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'A' }, Period: 60, Stat: 'Sum' },
              AccountId: '111122223333',
            },
          ],
        }),
      ),
    ]);
    // Assess
    expect(refusals.map((r) => [r.code, r.status])).toEqual(Array(7).fill(['ValidationError', 400]));
    expect(refusals.map((r) => r.message.split(' is not supported by the local emulator')[0])).toEqual([
      'EvaluationCriteria',
      'EvaluationInterval',
      'ThresholdMetricId',
      'ActionConfiguration.AlarmTagsPropagation with Enabled true',
      'EvaluationWindow.WallClockWindow.Timezone America/New_York',
      'EvaluationWindow.WallClockWindow with a period of 420 seconds',
      'Metrics.member.1.AccountId 111122223333',
    ]);
    expect((await t.cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
  });

  it('keeps an alarm in INSUFFICIENT_DATA through its warm-up, then evaluates it', async () => {
    // Prepare
    await alarm('warm', {
      WarmUpConfiguration: {
        WarmUpPeriodDurationInMinutes: 3,
        OnlyStartEvaluatingAfterWarmUpPeriodEnds: true,
      },
    });
    await alarm('cold');
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [0, 1, 2, 3].map((m) => ({ MetricName: 'Load', Timestamp: minute(t, m, 30), Value: 50 })),
      }),
    );
    // Act
    const states: string[][] = [];
    for (let m = 1; m <= 4; m++) {
      t.atMinute(m);
      states.push([(await described('warm')).StateValue ?? '', (await described('cold')).StateValue ?? '']);
    }
    // Assess
    expect(states).toEqual([
      ['INSUFFICIENT_DATA', 'ALARM'],
      ['INSUFFICIENT_DATA', 'ALARM'],
      ['ALARM', 'ALARM'],
      ['ALARM', 'ALARM'],
    ]);
  });

  it('ends a warm-up early once data fills the evaluation window, unless told to wait', async () => {
    // Prepare
    await alarm('early', { WarmUpConfiguration: { WarmUpPeriodDurationInMinutes: 30 } });
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [{ MetricName: 'Load', Timestamp: minute(t, 0, 30), Value: 50 }],
      }),
    );
    // Act
    t.atMinute(1);
    const state = (await described('early')).StateValue;
    // Assess
    expect(state).toBe('ALARM');
  });

  it('aligns a wall clock window to the period boundaries', async () => {
    // Prepare: a 5-minute period; data breaches only in minutes 5..6, which a wall clock window sees at minute 10
    t.atMinute(3);
    await alarm('wall', { Period: 300, Statistic: 'Maximum', EvaluationWindow: { WallClockWindow: {} } });
    await alarm('sliding', { Period: 300, Statistic: 'Maximum' });
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [{ MetricName: 'Load', Timestamp: minute(t, 5, 30), Value: 50 }],
      }),
    );
    // Act
    t.atMinute(7);
    const at7 = [(await described('wall')).StateValue, (await described('sliding')).StateValue];
    t.atMinute(10);
    const at10 = (await described('wall')).StateValue;
    // Assess: sliding sees minutes 2..7 at minute 7; the wall clock window still looks at 0..5
    expect(at7).toEqual(['INSUFFICIENT_DATA', 'ALARM']);
    expect(at10).toBe('ALARM');
  });
});

describe('other operations', () => {
  it('GetMetricData honours query Period and AccountId of this account, and refuses the others by name', async () => {
    // Prepare
    t.atMinute(2);
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [{ MetricName: 'A', Timestamp: minute(t, 1, 0), Value: 4 }],
      }),
    );
    const query = (extra: object, labelTimezone?: string) =>
      t.cw.send(
        new GetMetricDataCommand({
          StartTime: minute(t, 0),
          EndTime: minute(t, 2),
          LabelOptions: labelTimezone === undefined ? undefined : { Timezone: labelTimezone },
          MetricDataQueries: [
            {
              Id: 'm1',
              MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'A' }, Period: 60, Stat: 'Sum' },
              AccountId: '000000000000',
            },
            { Id: 'e1', Expression: 'm1 * 2', ...extra },
          ],
        }),
      );
    // Act
    const ok = await query({ Period: 60 }, '+0000');
    const refusals = await Promise.all([
      awsErrorOf(query({ Period: 300 })),
      awsErrorOf(query({ AccountId: '111122223333' })),
      awsErrorOf(query({}, '+0130')),
    ]);
    // Assess
    expect(ok.MetricDataResults?.find((r) => r.Id === 'e1')?.Values).toEqual([8]);
    expect(refusals.map((r) => r.code)).toEqual(Array(3).fill('ValidationError'));
    expect(refusals.map((r) => r.message.split(' is not supported by the local emulator')[0])).toEqual([
      'MetricDataQueries.member.2.Period 300',
      'MetricDataQueries.member.2.AccountId 111122223333',
      'LabelOptions.Timezone +0130',
    ]);
  });

  it('ListMetrics answers OwningAccount and IncludeLinkedAccounts for its single account', async () => {
    // Prepare
    await t.cw.send(
      new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'A', Value: 1 }] }),
    );
    // Act
    const linked = await t.cw.send(
      new ListMetricsCommand({ IncludeLinkedAccounts: true, OwningAccount: '000000000000' }),
    );
    const other = await t.cw.send(
      new ListMetricsCommand({ IncludeLinkedAccounts: true, OwningAccount: '111122223333' }),
    );
    // Assess
    expect(linked.Metrics?.map((m) => m.MetricName)).toEqual(['A']);
    expect(linked.OwningAccounts).toEqual(['000000000000']);
    expect(other.Metrics).toEqual([]);
  });

  it('DescribeAlarms answers ChildrenOfAlarmName and ParentsOfAlarmName (no composite alarms here)', async () => {
    // Prepare
    await alarm('child');
    // Act
    const parents = await t.cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: 'child' }));
    const children = await t.cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: 'child' }));
    const mixed = await awsErrorOf(
      t.cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: 'child', StateValue: 'OK' })),
    );
    // Assess
    expect(parents).toMatchObject({ MetricAlarms: [], CompositeAlarms: [] });
    expect(children).toMatchObject({ MetricAlarms: [], CompositeAlarms: [] });
    expect(mixed).toMatchObject({ code: 'InvalidParameterCombination' });
    expect(mixed.message).toMatch(/^ParentsOfAlarmName cannot be specified together with StateValue/);
  });

  it('DescribeAlarmHistory filters by AlarmContributorId (no alarm has contributors here)', async () => {
    // Prepare
    await alarm('h');
    // Act
    const all = await t.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'h' }));
    const contributor = await t.cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'h', AlarmContributorId: 'c1' }),
    );
    // Assess
    expect(all.AlarmHistoryItems).toHaveLength(1);
    expect(contributor.AlarmHistoryItems).toEqual([]);
  });
});

describe('integer members', () => {
  it('a fraction where the model has an integer is refused by the operation, never rounded or dropped', async () => {
    // Act: the SDK sends the number as given
    const refusals = await Promise.all([
      awsErrorOf(alarm('x', { EvaluationPeriods: 1.5 })),
      awsErrorOf(alarm('x', { Period: 90.5 })),
      awsErrorOf(t.cw.send(new DescribeAlarmsCommand({ MaxRecords: 2.5 }))),
      awsErrorOf(
        t.cw.send(
          new DescribeAlarmsForMetricCommand({ Namespace: 'Shop', MetricName: 'Load', Period: 60.5 }),
        ),
      ),
      awsErrorOf(
        t.cw.send(
          new GetMetricStatisticsCommand({
            Namespace: 'Shop',
            MetricName: 'Load',
            Period: 60.5,
            Statistics: ['Sum'],
            StartTime: minute(t, 0),
            EndTime: minute(t, 1),
          }),
        ),
      ),
    ]);
    // Assess
    expect(refusals.map((r) => r.status)).toEqual(Array(5).fill(400));
    expect(refusals.map((r) => r.code)).toEqual([
      'ValidationError',
      'InvalidParameterValue',
      'ValidationError',
      'InvalidParameterValue',
      'InvalidParameterValue',
    ]);
    expect((await t.cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
  });
});

describe('paging', () => {
  it('every list operation answers a NextToken it did not give out with InvalidNextToken', async () => {
    // Prepare
    await alarm('a');
    await alarm('b');
    const paged = await t.cw.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
    // Act
    const refusals = await Promise.all([
      awsErrorOf(t.cw.send(new DescribeAlarmsCommand({ NextToken: 'not-a-token' }))),
      awsErrorOf(t.cw.send(new ListMetricsCommand({ NextToken: 'bm9wZQ' }))),
      awsErrorOf(t.cw.send(new DescribeAlarmHistoryCommand({ NextToken: '999' }))),
    ]);
    const next = await t.cw.send(new DescribeAlarmsCommand({ MaxRecords: 1, NextToken: paged.NextToken }));
    // Assess
    expect(refusals.map((r) => [r.code, r.status])).toEqual(Array(3).fill(['InvalidNextToken', 400]));
    expect([paged, next].map((p) => p.MetricAlarms?.map((a) => a.AlarmName))).toEqual([['a'], ['b']]);
    expect(next.NextToken).toBeUndefined();
  });
});
