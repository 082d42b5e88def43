/** `--state-dir` with CloudWatch: alarms come back with their configuration, state, tags and history. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { ManualClock } from '../../../lib/emulator/clock';
import { withCloudWatchEmulator } from './cloudwatch-fixture';
import type { Emulator } from '../../../lib/emulator/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-cloudwatch-'));
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

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps alarms with their state, tags and history across a restart, %s', async (_label, snapshot) => {
  // Prepare: two alarms, one set to ALARM and tagged, one deleted again
  const clock = new ManualClock(Date.parse('2026-11-21T09:00:00Z'));
  const before = await withEmulator(clock, async (cloudwatch, emulator) => {
    for (const AlarmName of ['backlog', 'gone']) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: 'jobs' }],
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 2,
          Threshold: 10,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'ignore',
        }),
      );
    }
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'backlog', StateValue: 'ALARM', StateReason: 'testing' }),
    );
    const { MetricAlarms = [] } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: ['backlog'] }),
    );
    await cloudwatch.send(
      new TagResourceCommand({
        ResourceARN: MetricAlarms[0].AlarmArn,
        Tags: [{ Key: 'team', Value: 'ops' }],
      }),
    );
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['gone'] }));
    if (snapshot) await emulator.persistence?.rewrite();
    return {
      alarm: MetricAlarms[0],
      history: (await cloudwatch.send(new DescribeAlarmHistoryCommand({}))).AlarmHistoryItems,
    };
  });
  expect(before.alarm.StateValue).toBe('ALARM');

  // Act: restart on the same directory
  await withEmulator(clock, async (cloudwatch) => {
    // Assert: the same alarm, state and reason included; its tags; the history; the deleted one stays deleted
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(MetricAlarms).toEqual([before.alarm]);
    const { Tags } = await cloudwatch.send(
      new ListTagsForResourceCommand({ ResourceARN: before.alarm.AlarmArn }),
    );
    expect(Tags).toEqual([{ Key: 'team', Value: 'ops' }]);
    const { AlarmHistoryItems } = await cloudwatch.send(new DescribeAlarmHistoryCommand({}));
    expect(AlarmHistoryItems).toEqual(before.history);
    expect(AlarmHistoryItems?.map((h) => h.HistorySummary)).toContain('Alarm "gone" deleted');
  });
});
