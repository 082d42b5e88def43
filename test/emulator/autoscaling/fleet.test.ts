/**
 * The worker fleet end to end, on the emulator's clock: a jobs queue, a group whose instances run the real queue
 * worker (lambda/worker) in-process against the emulator over HTTP, CloudWatch's AWS/SQS and AWS/AutoScaling
 * metrics, alarms and the scaling policies of the WorkerFleet stack (both set-ups).
 */
import {
  DescribeAutoScalingGroupsCommand,
  EnableMetricsCollectionCommand,
  PutScalingPolicyCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { WorkerEvent } from '../../../lambda/shared/queue-worker';
import { createJobWorker, type WorkerConfig } from '../../../lambda/worker/worker';
import { InProcessInstanceLauncher } from '../../../lib/emulator/autoscaling/instances';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { advanceSettled, untilSettled } from '../../helpers/local-workers';
import {
  type AutoScalingTestEmulator,
  groupInput,
  startAutoScalingTestEmulator,
} from './autoscaling-fixture';

let t: AutoScalingTestEmulator;
let launcher: InProcessInstanceLauncher;
let queueUrl: string;
const events: Array<{ instanceId: string } & WorkerEvent> = [];

const QUEUE = 'jobs';
const GROUP = 'workers';

beforeEach(async () => {
  t = await startAutoScalingTestEmulator();
  events.length = 0;
  depths.length = 0;
  await t.sqs.send(new CreateQueueCommand({ QueueName: `${QUEUE}-dlq` }));
  queueUrl = (
    await t.sqs.send(
      new CreateQueueCommand({
        QueueName: QUEUE,
        Attributes: {
          VisibilityTimeout: '60',
          ReceiveMessageWaitTimeSeconds: '20',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}-dlq`,
            maxReceiveCount: 3,
          }),
        },
      }),
    )
  ).QueueUrl as string;
});
afterEach(async () => {
  await t.stop();
});

/** The group of the WorkerFleet stack, its instances running the real worker in-process. */
async function createFleet(maxSize: number, worker: Partial<WorkerConfig> = {}) {
  launcher = new InProcessInstanceLauncher(t.clock, ({ instanceId, clock, requests }) => {
    const sqs = requests.observe(
      new SQSClient({
        endpoint: t.emulator.endpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
      }),
    );
    const queueWorker = createJobWorker(
      { queueUrl, visibilityTimeoutSeconds: 60, concurrency: 1, stopGraceSeconds: 30, ...worker },
      { sqs, clock, onEvent: (e) => events.push({ instanceId, ...e }) },
    );
    return { run: () => queueWorker.run(), stop: () => queueWorker.stop().finally(() => sqs.destroy()) };
  });
  t.emulator.autoscaling.createAutoScalingGroup(
    groupInput(GROUP, { MinSize: 1, MaxSize: maxSize }, { DefaultCooldown: 120, DefaultInstanceWarmup: 90 }),
    launcher,
  );
  await t.as.send(
    new EnableMetricsCollectionCommand({
      AutoScalingGroupName: GROUP,
      Granularity: '1Minute',
      Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'],
    }),
  );
}

const backlogMetric = {
  Namespace: 'AWS/SQS',
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Dimensions: [{ Name: 'QueueName', Value: QUEUE }],
};

/** BacklogStepScaling's defaults: out on ≥ 10 waiting (steps +1, +2, +4), in by 1 after 5 minutes at 0. */
async function stepScaling() {
  const out = await t.as.send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: GROUP,
      PolicyName: 'ScaleOut',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Maximum',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 90, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 90, MetricIntervalUpperBound: 490, ScalingAdjustment: 2 },
        { MetricIntervalLowerBound: 490, ScalingAdjustment: 4 },
      ],
    }),
  );
  const scaleIn = await t.as.send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: GROUP,
      PolicyName: 'ScaleIn',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Maximum',
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    }),
  );
  await t.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'ScaleOutAlarm',
      ...backlogMetric,
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [out.PolicyARN as string],
    }),
  );
  await t.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'ScaleInAlarm',
      ...backlogMetric,
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: 0,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [scaleIn.PolicyARN as string],
    }),
  );
}

/** BacklogTargetTracking: backlog ÷ instances in service, by metric math, at a target of 50. */
async function targetTracking(target: number) {
  await t.as.send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: GROUP,
      PolicyName: 'BacklogPerInstance',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        TargetValue: target,
        CustomizedMetricSpecification: {
          Metrics: [
            { Id: 'backlog', ReturnData: false, MetricStat: { Metric: backlogMetric, Stat: 'Sum' } },
            {
              Id: 'instances',
              ReturnData: false,
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/AutoScaling',
                  MetricName: 'GroupInServiceInstances',
                  Dimensions: [{ Name: 'AutoScalingGroupName', Value: GROUP }],
                },
                Stat: 'Average',
              },
            },
            { Id: 'backlogPerInstance', Expression: 'backlog / instances', ReturnData: true },
          ],
        },
      },
    }),
  );
}

async function sendJobs(count: number, seconds: number) {
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 10) {
    sends.push(
      t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: Math.min(10, count - i) }, (_, j) => ({
            Id: `j${j}`,
            MessageBody: JSON.stringify({ jobId: `video-${String(i + j).padStart(4, '0')}`, seconds }),
          })),
        }),
      ),
    );
  }
  await Promise.all(sends);
}

async function queueDepth() {
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

/** The desired capacities and the minute of the test each was set at. */
function capacityTimeline() {
  return t.emulator.autoscaling
    .desiredCapacityHistory(GROUP)
    .map((h) => [Math.round((h.timestamp - t.start) / 60_000), h.desiredCapacity]);
}

/** Runs the fleet minute by minute (in 1-second steps, settling after each) until `until` holds. */
/** Jobs left (waiting or in progress) at the end of each minute run so far. */
const depths: number[] = [];
async function runMinutes(maxMinutes: number, until: () => Promise<boolean>) {
  for (let m = 0; m < maxMinutes; m++) {
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 60_000);
    depths.push(await queueDepth());
    if (await until()) return m + 1;
  }
  throw new Error(`not done after ${maxMinutes} minutes`);
}

const done = (type: WorkerEvent['type']) => events.filter((e) => e.type === type);

describe('a spike of 1,000 jobs on the worker fleet', () => {
  test('step scaling: alarms fire, the group scales out, drains the backlog, then scales back in', async () => {
    // Prepare: 1 to 10 instances, jobs of 6 seconds (one instance does 10 a minute)
    await createFleet(10);
    await stepScaling();
    await untilSettled(t.emulator, () => launcher.trackers);

    // Act
    await sendJobs(1000, 6);
    const drainedAfter = await runMinutes(40, async () => (await queueDepth()) === 0);
    await runMinutes(20, async () => capacityTimeline().at(-1)?.[1] === 1);

    // Assess: each minute the scale-out alarm stays in ALARM its policy runs again, adding the step's instances
    // to those already warm (90 s): +4 while 500 or more wait, until the maximum of 10; 100 jobs a minute then
    // drain the queue at minute 13; 5 empty minutes later the scale-in alarm removes one instance a minute
    expect(drainedAfter).toBe(13);
    expect(depths.slice(0, 13)).toEqual([990, 950, 900, 820, 730, 630, 530, 430, 330, 230, 130, 30, 0]);
    expect(capacityTimeline()).toEqual([
      [0, 1],
      [1, 4], // 1,000 waiting, the first instance still warming: 0 + 4
      [2, 5], // the first one warm, 3 warming: 1 + 4
      [3, 8],
      [4, 9],
      [5, 10],
      [17, 9],
      [18, 8],
      [19, 7],
      [20, 6],
      [21, 5],
      [22, 4],
      [23, 3],
      [24, 2],
      [25, 1],
    ]);
    expect(done('job-done')).toHaveLength(1000);
    expect(new Set(done('job-done').map((e) => e.instanceId)).size).toBe(10);
    expect(done('job-failed')).toEqual([]);
  });

  test('target tracking on backlog per instance: straight to backlog ÷ target, back to 1 after 15 low minutes', async () => {
    // Prepare: target 50 = 5 minutes of acceptable latency ÷ 6 seconds per job
    await createFleet(10);
    await targetTracking(50);
    await untilSettled(t.emulator, () => launcher.trackers);

    // Act
    await sendJobs(1000, 6);
    const drainedAfter = await runMinutes(40, async () => (await queueDepth()) === 0);
    await runMinutes(30, async () => capacityTimeline().at(-1)?.[1] === 1);

    // Assess: AlarmHigh at once (989 per instance): ceil(989 ÷ 50) = 20, capped at 10; 100 jobs a minute;
    // below 45 per instance from minute 6, so AlarmLow after 15 such minutes; no backlog: back to the minimum
    expect(drainedAfter).toBe(11);
    expect(depths.slice(0, 11)).toEqual([990, 890, 790, 690, 590, 490, 390, 290, 190, 90, 0]);
    expect(capacityTimeline()).toEqual([
      [0, 1],
      [1, 10],
      [21, 1],
    ]);
    expect(done('job-done')).toHaveLength(1000);
  });
});

describe('scale-in stops a worker the way EC2 shutdown does', () => {
  test('SIGTERM: the job in flight finishes within the stop grace, and the instance goes', async () => {
    // Prepare: one 20-second job on one worker, a second instance idle
    await createFleet(2);
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: 2 }));
    await untilSettled(t.emulator, () => launcher.trackers);
    await sendJobs(1, 20);
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 5_000);
    const busy = events.find((e) => e.type === 'visibility-extended' || e.type === 'job-done')?.instanceId;

    // Act: scale in to 1 (the oldest instance, the busy one, is chosen)
    await t.as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: 1 }));
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 20_000);

    // Assess
    expect(busy).toBeUndefined(); // no heartbeat needed for 20 s on a 60 s visibility timeout
    expect(
      events.filter((e) => e.type === 'stopping' || e.type === 'stopped' || e.type === 'job-done'),
    ).toEqual([
      expect.objectContaining({ type: 'stopping', inFlight: expect.any(Number) }),
      expect.objectContaining({ type: 'job-done', durationMs: 20_000 }),
      expect.objectContaining({ type: 'stopped', processed: 1, released: 0 }),
    ]);
    expect(await queueDepth()).toBe(0);
    const group = (await t.as.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups?.[0];
    expect(group?.Instances?.map((i) => i.LifecycleState)).toEqual(['InService']);
  });

  test('powered off after the shutdown grace: the message it held returns after its visibility timeout', async () => {
    // Prepare: a worker that would wait 10 minutes for its job, longer than EC2's 2-minute shutdown grace here
    await createFleet(1, { stopGraceSeconds: 600 });
    await untilSettled(t.emulator, () => launcher.trackers);
    await sendJobs(1, 3_600);
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 10_000);
    const [instance] =
      (await t.as.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups?.[0].Instances ?? [];

    // Act: terminate it (the group replaces it with a fresh worker)
    t.emulator.autoscaling.terminateInstanceInAutoScalingGroup({
      InstanceId: instance.InstanceId,
      ShouldDecrementDesiredCapacity: false,
    });
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 120_000);
    const peek = async () =>
      (
        await t.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
        )
      ).Messages ?? [];
    const rightAfterPowerOff = await peek();
    // its last heartbeat (every 30 s) was 120 s after it took the job: the message stays hidden until 180 s
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 49_000);
    const startedBy = () =>
      events
        .filter((e) => e.type === 'job-started')
        .map((e) => [e.instanceId === instance.InstanceId, e.receiveCount]);
    const before = startedBy();
    await advanceSettled(t.clock, t.emulator, () => launcher.trackers, 1_000);

    // Assess: the replacement's long poll gets it the moment it is visible, on its second receive
    expect(rightAfterPowerOff).toEqual([]);
    expect(before).toEqual([[true, 1]]);
    expect(startedBy()).toEqual([
      [true, 1],
      [false, 2],
    ]);
    expect(events.filter((e) => e.instanceId === instance.InstanceId && e.type === 'released')).toEqual([]);
  });
});
