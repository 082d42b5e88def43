/**
 * An alarm's SNS action as AWS runs it: CloudWatch publishes as `cloudwatch.amazonaws.com` for the alarm
 * (aws:SourceArn), and the topic policy decides. Enforce refuses and records the failed action; audit reports the
 * denial and publishes; off publishes without looking.
 */
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ActivityEvent } from '../../../lib/emulator/activity';
import type { IamMode } from '../../../lib/emulator/iam/authorizer';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

/** A topic policy that lets CloudWatch publish only for the alarm named `allowed`. */
function policyFor(topicArn: string, allowed: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:*:000000000000:alarm:${allowed}` } },
      },
    ],
  });
}

describe('alarm actions publish as cloudwatch.amazonaws.com (--iam)', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  /** An alarm named `alarmName` notifying a topic whose policy allows the alarm `allowed`, set to ALARM. */
  async function raise(mode: IamMode, alarmName: string, allowed: string) {
    emulator = await startEmulator({ port: 0, iam: mode });
    const events: ActivityEvent[] = [];
    emulator.activity.listen((e) => events.push(e));
    const config = { endpoint: emulator.endpoint, region: emulator.region, credentials: TEST_CREDENTIALS };
    const sns = new SNSClient(config);
    const cloudwatch = new CloudWatchClient(config);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alarms' }));
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'Policy',
        AttributeValue: policyFor(TopicArn as string, allowed),
      }),
    );
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        Namespace: 'Test',
        MetricName: 'Failures',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [TopicArn as string],
      }),
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'test' }),
    );
    await emulator.idle();
    const { AlarmHistoryItems } = await cloudwatch.send(
      new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: 'Action' }),
    );
    return {
      topicArn: TopicArn as string,
      actions: (AlarmHistoryItems ?? []).map((a) => a.HistorySummary),
      denials: events.filter((e) => e.kind === 'access-denied'),
      published: events.filter((e) => e.kind === 'notification-published'),
    };
  }

  test('enforce: the alarm the policy names publishes', async () => {
    const { topicArn, actions, denials, published } = await raise('enforce', 'orders-dlq', 'orders-*');

    expect(actions).toEqual([`Successfully executed action ${topicArn}`]);
    expect(denials).toEqual([]);
    expect(published).toHaveLength(1);
  });

  test('enforce: another alarm (aws:SourceArn) is refused, the action fails as AWS records it', async () => {
    const { topicArn, actions, denials, published } = await raise('enforce', 'billing', 'orders-*');

    expect(actions).toEqual([
      expect.stringContaining(
        `Failed to execute action ${topicArn}. Received error: "Resource: arn:aws:cloudwatch:us-east-1:000000000000:alarm:billing is not authorized to perform: SNS:Publish on resource: ${topicArn} because no resource-based policy allows the SNS:Publish action`,
      ),
    ]);
    expect(denials).toEqual([
      expect.objectContaining({
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: topicArn,
        enforced: true,
      }),
    ]);
    expect(published).toEqual([]);
  });

  test('audit: the denial is reported and the notification published', async () => {
    const { topicArn, actions, denials, published } = await raise('audit', 'billing', 'orders-*');

    expect(actions).toEqual([`Successfully executed action ${topicArn}`]);
    expect(denials).toEqual([
      expect.objectContaining({ principal: 'cloudwatch.amazonaws.com', enforced: false }),
    ]);
    expect(published).toHaveLength(1);
  });

  test('off: nothing is evaluated', async () => {
    const { actions, denials, published } = await raise('off', 'billing', 'orders-*');

    expect(actions).toEqual([expect.stringMatching(/^Successfully executed action/)]);
    expect(denials).toEqual([]);
    expect(published).toHaveLength(1);
  });
});
