/**
 * The worker fleet chapter in local mode: the synthesized WorkerFleet stack deployed into the emulator, its group's
 * instances running the bundled worker as processes (on real time), its alarms and policies on the manual clock.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { cloudWatchClientFor } from '../emulator/cloudwatch/cloudwatch-fixture';
import { eventually } from '../helpers/emulator';
import { type LocalApp, startLocalApp } from '../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

describe('workshop chapter 4, the worker fleet, in local mode', () => {
  let app: LocalApp;

  beforeAll(async () => {
    app = await startLocalApp();
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(() => app.stop());

  const group = () => {
    const name = app.output('WorkerFleet', 'AutoScalingGroupName');
    return app.mode.emulator.autoscaling.describeAutoScalingGroups({ AutoScalingGroupNames: [name] })
      .AutoScalingGroups[0];
  };

  async function depth(): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await app.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: app.output('WorkerFleet', 'JobsQueueUrl'),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    };
  }

  test('the group starts at its minimum: one instance whose worker drains the jobs queue', async () => {
    // Prepare
    expect(group()).toMatchObject({ MinSize: 1, MaxSize: 4, DesiredCapacity: 1, DefaultInstanceWarmup: 90 });
    expect(group()?.Instances?.map((i) => i.LifecycleState)).toEqual(['InService']);

    // Act: the worker process runs on real time; a job of no work is done at once
    await app.sqs.send(
      new SendMessageCommand({
        QueueUrl: app.output('WorkerFleet', 'JobsQueueUrl'),
        MessageBody: '{"jobId":"video-0001","seconds":0}',
      }),
    );

    // Assess
    await eventually(async () => {
      const d = await depth();
      return d.visible === 0 && d.inFlight === 0 ? true : undefined;
    });
  });

  test("the stack's alarms run its step policies: a backlog scales the group out", async () => {
    // Prepare: the alarms name the group's policies
    const cw = cloudWatchClientFor(app.mode.emulator.endpoint);
    const { MetricAlarms = [] } = await cw.send(new DescribeAlarmsCommand({}));
    cw.destroy();
    const policies = app.mode.emulator.autoscaling
      .describePolicies({ AutoScalingGroupName: group()?.AutoScalingGroupName })
      .ScalingPolicies.map((p) => p.PolicyARN);
    const scaling = MetricAlarms.filter((a) => a.AlarmActions?.some((arn) => policies.includes(arn)));
    expect(scaling.map((a) => [a.MetricName, a.ComparisonOperator, a.Threshold]).sort()).toEqual([
      ['ApproximateNumberOfMessagesVisible', 'GreaterThanOrEqualToThreshold', 10],
      ['ApproximateNumberOfMessagesVisible', 'LessThanOrEqualToThreshold', 0],
    ]);

    // Act: 600 jobs of 10 minutes each; the one worker takes one, 599 wait; then the emulated minutes pass
    const queueUrl = app.output('WorkerFleet', 'JobsQueueUrl');
    for (let i = 0; i < 600; i += 10) {
      await app.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 10 }, (_, j) => ({
            Id: `j${j}`,
            MessageBody: JSON.stringify({ jobId: `video-${i + j}`, seconds: 600 }),
          })),
        }),
      );
    }
    await eventually(async () => ((await depth()).inFlight === 1 ? true : undefined));
    app.clock.advance(3 * 60_000);

    // Assess: 500 or more waiting → +4 a minute, up to the sandbox maximum of 4; each new instance is a process
    expect(group()?.DesiredCapacity).toBe(4);
    // (the first worker's message is visible again: its heartbeat runs on real time, the queue on the manual
    // clock, which just moved 3 minutes; each new worker takes a job)
    await eventually(async () => ((await depth()).inFlight >= 3 ? true : undefined));
    expect(group()?.Instances?.map((i) => i.LifecycleState)).toEqual([
      'InService',
      'InService',
      'InService',
      'InService',
    ]);
  });

  test('npm start shows the fleet live: capacity changes, launches, and each minute backlog, alarms and instances', () => {
    const printed = app.lines.join('\n');

    expect(printed).toMatch(/fleet {3}WorkersGroupASG desired 1 → \d: /);
    expect(printed).toMatch(/fleet {3}WorkersGroupASG launched i-[0-9a-f]+/);
    expect(printed).toMatch(
      /fleet {3}WorkersGroupASG: backlog JobsQueue \d+ waiting, \d+ in flight; desired 4, running 4; alarms .*StepScalingScaleOutAlarm ALARM/,
    );
    // the worker processes' output goes through npm start's printer, with the instance id, its JSON read
    expect(printed).toMatch(/worker {2}i-[0-9a-f]+ {2}INFO {2}\S+/);
  });
});
