import {
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  type PutMetricAlarmInput,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AlarmStateChange } from '../../../lib/emulator/cloudwatch/service';
import { awsErrorOf } from '../../helpers/emulator';
import { snsClientFor } from '../sns/sns-fixture';
import { type CloudWatchTestEmulator, minute, startCloudWatchTestEmulator } from './cloudwatch-fixture';

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

const SCALE_OUT =
  'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:1f0c:autoScalingGroupName/fleet:policyName/out';
const SCALE_IN =
  'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:2a9d:autoScalingGroupName/fleet:policyName/in';

/** Puts one value per listed minute (at :30 of that minute) into Shop/<metricName>. */
async function series(metricName: string, values: Record<number, number>): Promise<void> {
  await t.cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: Object.entries(values).map(([m, v]) => ({
        MetricName: metricName,
        Timestamp: minute(t, Number(m), 30),
        Value: v,
      })),
    }),
  );
}

function alarm(name: string, metricName: string, extra: Partial<PutMetricAlarmInput> = {}) {
  return t.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Shop',
      MetricName: metricName,
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

/** The alarm's state after each of the given minutes of the clock. */
async function statesThrough(name: string, minutes: number): Promise<string[]> {
  const states: string[] = [];
  for (let m = 1; m <= minutes; m++) {
    t.atMinute(m);
    states.push((await described(name)).StateValue as string);
  }
  return states;
}

describe('alarm state', () => {
  it('starts INSUFFICIENT_DATA and is evaluated at each minute on the periods that ended', async () => {
    // Prepare
    await alarm('hot', 'Temperature', { AlarmDescription: 'too hot' });
    const created = await described('hot');
    await series('Temperature', { 0: 25 });
    // Act
    t.atMinute(1);
    const after = await described('hot');
    // Assess
    expect(created).toMatchObject({
      AlarmName: 'hot',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:hot',
      AlarmDescription: 'too hot',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      ActionsEnabled: true,
      Dimensions: [],
      EvaluationPeriods: 1,
      Threshold: 10,
    });
    expect(after.StateValue).toBe('ALARM');
    expect(after.StateReason).toBe(
      'Threshold Crossed: 1 out of the last 1 datapoints [25.0 (01/01/26 00:00:00)] was greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition).',
    );
    expect(JSON.parse(after.StateReasonData as string)).toEqual({
      version: '1.0',
      queryDate: '2026-01-01T00:01:00.000+0000',
      startDate: '2026-01-01T00:00:00.000+0000',
      statistic: 'Maximum',
      period: 60,
      recentDatapoints: [25],
      threshold: 10,
      evaluatedDatapoints: [{ timestamp: '2026-01-01T00:00:00.000+0000', sampleCount: 1, value: 25 }],
    });
    expect(after.StateUpdatedTimestamp).toEqual(minute(t, 1));
  });

  it('goes to ALARM when M of the last N datapoints breach (DatapointsToAlarm), and back when fewer do', async () => {
    // Prepare: breaching minutes 0, 3, 4 of 0..5
    await alarm('two-of-three', 'Load', {
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    await series('Load', { 0: 20, 1: 5, 2: 5, 3: 20, 4: 20, 5: 5 });
    // Act
    const states = await statesThrough('two-of-three', 9);
    const inAlarm = await t.cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'two-of-three', HistoryItemType: 'StateUpdate' }),
    );
    // Assess: the alarm looks back past missing periods for real datapoints (minutes 7 and 8)
    expect(states).toEqual(['OK', 'OK', 'OK', 'OK', 'ALARM', 'ALARM', 'ALARM', 'ALARM', 'OK']);
    expect(inAlarm.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from INSUFFICIENT_DATA to OK',
    ]);
    const toAlarm = JSON.parse(inAlarm.AlarmHistoryItems?.[1].HistoryData as string);
    expect(toAlarm.newState.stateReason).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [20.0 (01/01/26 00:04:00), 20.0 (01/01/26 00:03:00)] were greater than the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
    expect(toAlarm.oldState.stateValue).toBe('OK');
  });

  it('treats missing data as missing, breaching, notBreaching or ignore when a metric stops', async () => {
    // Prepare: one healthy datapoint at minute 0, then nothing
    for (const mode of ['missing', 'breaching', 'notBreaching', 'ignore'] as const) {
      await alarm(`stops-${mode}`, 'Heartbeat', { TreatMissingData: mode });
    }
    await series('Heartbeat', { 0: 1 });
    // Act
    t.atMinute(3);
    const whileRecent = await t.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'stops-' }));
    t.atMinute(4);
    const afterwards = await t.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'stops-' }));
    // Assess
    expect(whileRecent.MetricAlarms?.map((a) => a.StateValue)).toEqual(['OK', 'OK', 'OK', 'OK']);
    const byName = Object.fromEntries((afterwards.MetricAlarms ?? []).map((a) => [a.AlarmName, a]));
    expect(byName['stops-missing']).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Insufficient Data: 1 datapoint was unknown.',
    });
    expect(byName['stops-breaching']).toMatchObject({
      StateValue: 'ALARM',
      StateReason:
        'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].',
    });
    expect(byName['stops-notBreaching'].StateValue).toBe('OK');
    expect(byName['stops-ignore'].StateValue).toBe('OK');
  });

  it('fills only as many missing periods as needed when some datapoints are real', async () => {
    // Prepare: 3 of 3 periods to alarm, a single breaching datapoint
    for (const mode of ['missing', 'breaching', 'notBreaching', 'ignore'] as const) {
      await alarm(`partial-${mode}`, 'Spike', {
        EvaluationPeriods: 3,
        TreatMissingData: mode,
      });
    }
    await series('Spike', { 0: 50 });
    // Act
    t.atMinute(1);
    const result = await t.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'partial-' }));
    // Assess: missing judges on the real datapoint; ignore cannot decide and keeps its state
    expect(Object.fromEntries((result.MetricAlarms ?? []).map((a) => [a.AlarmName, a.StateValue]))).toEqual({
      'partial-breaching': 'ALARM',
      'partial-ignore': 'INSUFFICIENT_DATA',
      'partial-missing': 'ALARM',
      'partial-notBreaching': 'OK',
    });
  });

  it('evaluates percentiles and metric math expressions', async () => {
    // Prepare
    await alarm('p90', 'Latency', { Statistic: undefined, ExtendedStatistic: 'p90', Threshold: 100 });
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          { MetricName: 'Latency', Timestamp: minute(t, 0, 10), Values: [10, 500], Counts: [9, 1] },
        ],
      }),
    );
    await t.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'backlog-per-instance',
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Metrics: [
          {
            Id: 'm1',
            MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Visible' }, Period: 60, Stat: 'Average' },
            ReturnData: false,
          },
          {
            Id: 'm2',
            MetricStat: {
              Metric: { Namespace: 'Shop', MetricName: 'Instances' },
              Period: 60,
              Stat: 'Average',
            },
            ReturnData: false,
          },
          { Id: 'e1', Expression: 'm1 / m2', Label: 'Backlog per instance' },
        ],
      }),
    );
    await series('Visible', { 0: 100, 1: 100 });
    await series('Instances', { 0: 5, 1: 20 });
    // Act
    const states = await statesThrough('backlog-per-instance', 2);
    const percentile = await described('p90');
    const math = await described('backlog-per-instance');
    // Assess: p90 of nine 10s and one 500 is 10
    expect(percentile).toMatchObject({ StateValue: 'OK', ExtendedStatistic: 'p90' });
    expect(states).toEqual(['ALARM', 'OK']);
    expect(math.Metrics?.map((m) => m.Id)).toEqual(['m1', 'm2', 'e1']);
    expect(math.MetricName).toBeUndefined();
  });
});

describe('alarm actions', () => {
  it('publishes AWS’s alarm notification to an SNS topic, received by a subscribed queue', async () => {
    // Prepare
    const sns = snsClientFor(t.emulator.endpoint);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'ops' }))).TopicArn as string;
    const queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'ops-inbox' })))
      .QueueUrl as string;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:ops-inbox',
      }),
    );
    sns.destroy();
    await alarm('queue-deep', 'Depth', {
      AlarmActions: [topicArn],
      OKActions: [topicArn],
      Dimensions: [{ Name: 'Queue', Value: 'orders' }],
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [0, 1, 2].map((m) => ({
          MetricName: 'Depth',
          Dimensions: [{ Name: 'Queue', Value: 'orders' }],
          Timestamp: minute(t, m, 5),
          Value: 42,
          Unit: 'Count',
        })),
      }),
    );
    // Act: ALARM at minute 1, still ALARM at 2 and 3 (no repeat for SNS)
    t.atMinute(3);
    await t.emulator.idle();
    const received = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const history = await t.cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'queue-deep', HistoryItemType: 'Action' }),
    );
    // Assess
    expect(received.Messages).toHaveLength(1);
    const envelope = JSON.parse(received.Messages?.[0].Body as string);
    expect(envelope.Subject).toBe('ALARM: "queue-deep" in US East (N. Virginia)');
    const message = JSON.parse(envelope.Message);
    expect(Object.keys(message)).toEqual([
      'AlarmName',
      'AlarmDescription',
      'AWSAccountId',
      'AlarmConfigurationUpdatedTimestamp',
      'NewStateValue',
      'NewStateReason',
      'StateChangeTime',
      'Region',
      'AlarmArn',
      'OldStateValue',
      'OKActions',
      'AlarmActions',
      'InsufficientDataActions',
      'Trigger',
    ]);
    expect(message).toMatchObject({
      AlarmName: 'queue-deep',
      AlarmDescription: null,
      AWSAccountId: '000000000000',
      NewStateValue: 'ALARM',
      OldStateValue: 'INSUFFICIENT_DATA',
      StateChangeTime: '2026-01-01T00:01:00.000+0000',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:queue-deep',
      AlarmActions: [topicArn],
      Trigger: {
        MetricName: 'Depth',
        Namespace: 'Shop',
        StatisticType: 'Statistic',
        Statistic: 'MAXIMUM',
        Unit: null,
        Dimensions: [{ value: 'orders', name: 'Queue' }],
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 10,
        TreatMissingData: 'notBreaching',
        EvaluateLowSampleCountPercentile: '',
      },
    });
    expect(message.NewStateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[42\.0 /);
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      `Successfully executed action ${topicArn}`,
    ]);
  });

  it('runs registered action handlers on transitions, and Auto Scaling actions again every minute in the state', async () => {
    // Prepare
    const calls: { arn: string; change: AlarmStateChange }[] = [];
    t.emulator.cloudwatch.registerActionHandler(
      (arn) => arn.startsWith('arn:aws:autoscaling:'),
      (arn, change) => {
        calls.push({ arn, change });
      },
    );
    await alarm('backlog-high', 'Backlog', { AlarmActions: [SCALE_OUT], OKActions: [SCALE_IN] });
    await series('Backlog', { 0: 30, 1: 40, 2: 50, 3: 0 });
    // Act
    t.atMinute(5);
    // Assess
    expect(calls.map((c) => [c.arn, c.change.newState, c.change.repeat, c.change.metricValue])).toEqual([
      [SCALE_OUT, 'ALARM', false, 30],
      [SCALE_OUT, 'ALARM', true, 40],
      [SCALE_OUT, 'ALARM', true, 50],
      [SCALE_IN, 'OK', false, 0],
      [SCALE_IN, 'OK', true, 0],
    ]);
    expect(calls[0].change).toMatchObject({
      alarmName: 'backlog-high',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:backlog-high',
      oldState: 'INSUFFICIENT_DATA',
      threshold: 10,
      comparisonOperator: 'GreaterThanThreshold',
      timestamp: minute(t, 1).getTime(),
    });
  });

  it('does not run actions while they are disabled, and records failed actions', async () => {
    // Prepare
    const calls: string[] = [];
    t.emulator.cloudwatch.registerActionHandler(
      (arn) => arn.includes(':scalingPolicy:'),
      (_arn, change) => {
        calls.push(`${change.newState}${change.repeat ? ' again' : ''}`);
        if (change.newState === 'OK') throw new Error('group is being deleted');
      },
    );
    await alarm('guarded', 'Backlog', { AlarmActions: [SCALE_OUT], OKActions: [SCALE_IN] });
    await t.cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['guarded'] }));
    await series('Backlog', { 0: 30, 1: 30, 2: 0 });
    // Act
    t.atMinute(2);
    const disabled = await described('guarded');
    await t.cw.send(new EnableAlarmActionsCommand({ AlarmNames: ['guarded'] }));
    t.atMinute(3);
    const actions = await t.cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'guarded', HistoryItemType: 'Action' }),
    );
    // Assess
    expect(disabled).toMatchObject({ StateValue: 'ALARM', ActionsEnabled: false });
    expect(calls).toEqual(['OK']);
    expect(actions.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      `Failed to execute action ${SCALE_IN}. Received error: "group is being deleted"`,
    ]);
  });

  it('SetAlarmState changes the state and runs its actions until the next evaluation', async () => {
    // Prepare
    const calls: AlarmStateChange[] = [];
    t.emulator.cloudwatch.registerActionHandler(
      (arn) => arn === SCALE_OUT,
      (_arn, change) => {
        calls.push(change);
      },
    );
    await alarm('manual', 'Backlog', { AlarmActions: [SCALE_OUT] });
    await series('Backlog', { 0: 1, 1: 1 });
    t.atMinute(1);
    // Act
    await t.cw.send(
      new SetAlarmStateCommand({
        AlarmName: 'manual',
        StateValue: 'ALARM',
        StateReason: 'testing the scale-out policy',
        StateReasonData: '{"test":true}',
      }),
    );
    const forced = await described('manual');
    t.atMinute(2);
    const evaluated = await described('manual');
    // Assess
    expect(forced).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'testing the scale-out policy',
      StateReasonData: '{"test":true}',
    });
    expect(calls.map((c) => [c.oldState, c.newState, c.reason])).toEqual([
      ['OK', 'ALARM', 'testing the scale-out policy'],
    ]);
    expect(evaluated.StateValue).toBe('OK');
  });
});

describe('alarm administration', () => {
  it('describes by names, prefix, state and action prefix, for a metric, and deletes', async () => {
    // Prepare
    await alarm('a-one', 'Load', { AlarmActions: [SCALE_OUT] });
    await alarm('a-two', 'Load', { Dimensions: [{ Name: 'Host', Value: 'h1' }] });
    await alarm('b-one', 'Other');
    await series('Load', { 0: 50 });
    t.atMinute(1);
    // Act
    const byPrefix = await t.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'a-' }));
    const inAlarm = await t.cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    const byAction = await t.cw.send(new DescribeAlarmsCommand({ ActionPrefix: 'arn:aws:autoscaling:' }));
    const paged = await t.cw.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    const next = await t.cw.send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: paged.NextToken }));
    const forMetric = await t.cw.send(
      new DescribeAlarmsForMetricCommand({
        Namespace: 'Shop',
        MetricName: 'Load',
        Dimensions: [{ Name: 'Host', Value: 'h1' }],
      }),
    );
    await t.cw.send(new DeleteAlarmsCommand({ AlarmNames: ['a-one', 'b-one'] }));
    const left = await t.cw.send(new DescribeAlarmsCommand({}));
    const missing = await awsErrorOf(t.cw.send(new DeleteAlarmsCommand({ AlarmNames: ['a-two', 'nope'] })));
    // Assess
    const names = (r: { MetricAlarms?: { AlarmName?: string }[] }) => r.MetricAlarms?.map((a) => a.AlarmName);
    expect(names(byPrefix)).toEqual(['a-one', 'a-two']);
    expect(names(inAlarm)).toEqual(['a-one']);
    expect(names(byAction)).toEqual(['a-one']);
    expect([...(names(paged) ?? []), ...(names(next) ?? [])]).toEqual(['a-one', 'a-two', 'b-one']);
    expect(next.NextToken).toBeUndefined();
    expect(names(forMetric)).toEqual(['a-two']);
    expect(names(left)).toEqual(['a-two']);
    expect(missing).toMatchObject({ code: 'ResourceNotFound', status: 404 });
    expect(names(await t.cw.send(new DescribeAlarmsCommand({})))).toEqual(['a-two']);
  });

  it('keeps the state when an alarm is updated, and records the configuration changes', async () => {
    // Prepare
    await alarm('updated', 'Load');
    await series('Load', { 0: 50 });
    t.atMinute(1);
    // Act
    await alarm('updated', 'Load', { Threshold: 100, AlarmDescription: 'raised' });
    const after = await described('updated');
    const history = await t.cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'updated', HistoryItemType: 'ConfigurationUpdate' }),
    );
    // Assess
    expect(after).toMatchObject({ StateValue: 'ALARM', Threshold: 100, AlarmDescription: 'raised' });
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      'Alarm "updated" updated',
      'Alarm "updated" created',
    ]);
    expect(JSON.parse(history.AlarmHistoryItems?.[1].HistoryData as string)).toMatchObject({
      type: 'Create',
      createdAlarm: { AlarmName: 'updated', StateValue: 'INSUFFICIENT_DATA', Threshold: 10 },
    });
  });

  it('refuses invalid alarms with AWS codes and messages', async () => {
    // Act
    const tooMany = await awsErrorOf(alarm('x', 'Load', { EvaluationPeriods: 2, DatapointsToAlarm: 3 }));
    const anomaly = await awsErrorOf(
      alarm('x', 'Load', { ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }),
    );
    const badOperator = await awsErrorOf(alarm('x', 'Load', { ComparisonOperator: 'Bigger' as never }));
    const noPeriod = await awsErrorOf(alarm('x', 'Load', { Period: undefined }));
    const twoReturned = await awsErrorOf(
      t.cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'x',
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Metrics: [
            {
              Id: 'm1',
              MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'A' }, Period: 60, Stat: 'Sum' },
            },
            { Id: 'e1', Expression: 'm1 * 2' },
          ],
        }),
      ),
    );
    const unknownAlarm = await awsErrorOf(
      t.cw.send(new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'OK', StateReason: 'x' })),
    );
    const badState = await awsErrorOf(
      t.cw.send(
        new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'FINE' as never, StateReason: 'x' }),
      ),
    );
    // Assess
    expect(tooMany).toMatchObject({
      code: 'ValidationError',
      message: 'DatapointsToAlarm must be less than or equal to EvaluationPeriods',
    });
    expect(anomaly).toMatchObject({ code: 'InvalidParameterValue' });
    expect(anomaly.message).toMatch(/anomaly detection band, which the local emulator does not support/);
    expect(badOperator).toMatchObject({ code: 'ValidationError' });
    expect(badOperator.message).toMatch(
      /^1 validation error detected: Value 'Bigger' at 'comparisonOperator' failed to satisfy constraint/,
    );
    expect(noPeriod).toMatchObject({ code: 'ValidationError', message: 'Period must not be null' });
    expect(twoReturned).toMatchObject({
      code: 'ValidationError',
      message: 'Exactly one element of the metrics list should return data.',
    });
    expect(unknownAlarm).toMatchObject({ code: 'ResourceNotFound', status: 404 });
    expect(badState).toMatchObject({ code: 'ValidationError' });
  });
});
