import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  DeleteQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueWorker, WorkerEvent } from '../../lambda/shared/queue-worker';
import { createJobWorker, type WorkerConfig } from '../../lambda/worker/worker';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator';
import {
  advanceSettled,
  EmulatorInstanceClock,
  RequestTracker,
  trackedSqsClient,
  untilSettled,
} from '../helpers/local-workers';

let t: TestEmulator;
let queueUrl: string;
let dlqUrl: string;
const workers: Array<{
  worker: QueueWorker;
  sqs: SQSClient;
  tracker: RequestTracker;
  events: WorkerEvent[];
}> = [];

beforeEach(async () => {
  t = await startTestEmulator();
  dlqUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'jobs-dlq' }))).QueueUrl as string;
  queueUrl = (
    await t.sqs.send(
      new CreateQueueCommand({
        QueueName: 'jobs',
        Attributes: {
          VisibilityTimeout: '30',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq',
            maxReceiveCount: 3,
          }),
        },
      }),
    )
  ).QueueUrl as string;
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map(({ worker }) => worker.stop()));
  await t.stop();
});

/** A worker as an instance runs it, on the emulator's clock, its requests counted. */
function startWorker(config: Partial<WorkerConfig> = {}) {
  const tracker = new RequestTracker();
  const sqs = trackedSqsClient(t.emulator.endpoint, tracker);
  const events: WorkerEvent[] = [];
  const worker = createJobWorker(
    { queueUrl, visibilityTimeoutSeconds: 30, concurrency: 1, stopGraceSeconds: 30, ...config },
    { sqs, clock: new EmulatorInstanceClock(t.clock), onEvent: (e) => events.push(e) },
  );
  const running = worker.run();
  workers.push({ worker, sqs, tracker, events });
  return { worker, tracker, events, running };
}

async function sendJobs(...jobs: Array<{ jobId: string; seconds: number } | string>) {
  for (let i = 0; i < jobs.length; i += 10) {
    await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: jobs.slice(i, i + 10).map((job, j) => ({
          Id: `m${i + j}`,
          MessageBody: typeof job === 'string' ? job : JSON.stringify(job),
        })),
      }),
    );
  }
}

async function depth(url = queueUrl) {
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

/** A short poll: what another consumer would get right now. */
async function peek() {
  const { Messages } = await t.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
  );
  return Messages ?? [];
}

const ofType = <T extends WorkerEvent['type']>(events: WorkerEvent[], type: T) =>
  events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);

describe('the queue worker against the emulator', () => {
  test('long-polls, processes and deletes each job, then waits for more without spinning', async () => {
    // Prepare
    await sendJobs({ jobId: 'a', seconds: 2 }, { jobId: 'b', seconds: 2 }, { jobId: 'c', seconds: 2 });
    const { tracker, events } = startWorker();

    // Act
    await advanceSettled(t.clock, t.emulator, [tracker], 6_000);

    // Assess: one job at a time, 2 s each, each deleted
    expect(ofType(events, 'job-done').map((e) => e.durationMs)).toEqual([2_000, 2_000, 2_000]);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(t.emulator.sqs.waitingReceivers()).toBe(1);
  });

  test('a job of no work is done without the clock moving', async () => {
    // Prepare
    await sendJobs({ jobId: 'instant', seconds: 0 });
    const { tracker, events } = startWorker();

    // Act
    await untilSettled(t.emulator, [tracker]);

    // Assess
    expect(ofType(events, 'job-done')).toEqual([
      { type: 'job-done', messageId: expect.any(String), durationMs: 0 },
    ]);
  });

  test('a job longer than the visibility timeout keeps its message hidden with ChangeMessageVisibility', async () => {
    // Prepare: 100 s of work on a queue whose visibility timeout is 30 s
    await sendJobs({ jobId: 'long', seconds: 100 });
    const { tracker, events } = startWorker();
    const seenByOthers: number[] = [];

    // Act: look at the queue as another consumer would, every 10 s
    for (let s = 0; s < 100; s += 10) {
      await advanceSettled(t.clock, t.emulator, [tracker], 10_000);
      seenByOthers.push((await peek()).length);
    }

    // Assess: a heartbeat every 15 s, never visible to anyone else, deleted when done
    expect(seenByOthers).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ofType(events, 'visibility-extended')).toHaveLength(6);
    expect(ofType(events, 'job-done')).toEqual([
      { type: 'job-done', messageId: expect.any(String), durationMs: 100_000 },
    ]);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  test('a failed job is not deleted: it returns after the visibility timeout and ends in the dead-letter queue', async () => {
    // Prepare
    await sendJobs('not json');
    const { tracker, events } = startWorker();

    // Act: three receives, 30 s apart
    await advanceSettled(t.clock, t.emulator, [tracker], 95_000);

    // Assess
    expect(ofType(events, 'job-failed').map((e) => [e.receiveCount, e.error])).toEqual([
      [1, 'InvalidJobError: Invalid job: the body is not JSON'],
      [2, 'InvalidJobError: Invalid job: the body is not JSON'],
      [3, 'InvalidJobError: Invalid job: the body is not JSON'],
    ]);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(await depth(dlqUrl)).toEqual({ visible: 1, inFlight: 0 });
  });

  test('several jobs at once with WORKER_CONCURRENCY: one receive fills every free slot', async () => {
    // Prepare
    await sendJobs(...Array.from({ length: 6 }, (_, i) => ({ jobId: `j${i}`, seconds: 5 })));
    const { tracker, events } = startWorker({ concurrency: 3 });

    // Act
    await advanceSettled(t.clock, t.emulator, [tracker], 5_000);
    const afterOneRound = ofType(events, 'job-done').length;
    await advanceSettled(t.clock, t.emulator, [tracker], 5_000);

    // Assess
    expect(afterOneRound).toBe(3);
    expect(ofType(events, 'job-done')).toHaveLength(6);
  });

  describe('stop (SIGTERM)', () => {
    test('takes no new job and lets the one in flight finish within the grace period', async () => {
      // Prepare
      await sendJobs({ jobId: 'first', seconds: 10 }, { jobId: 'second', seconds: 10 });
      const { worker, tracker, running } = startWorker({ stopGraceSeconds: 30 });
      await advanceSettled(t.clock, t.emulator, [tracker], 2_000);

      // Act
      const stopped = worker.stop();
      await advanceSettled(t.clock, t.emulator, [tracker], 8_000);

      // Assess
      expect(await stopped).toEqual({ processed: 1, failed: 0, released: 0 });
      expect(await running).toEqual({ processed: 1, failed: 0, released: 0 });
      expect(await depth()).toEqual({ visible: 1, inFlight: 0 });
    });

    test('releases a job that outlasts the grace period: its message is visible again at once', async () => {
      // Prepare
      await sendJobs({ jobId: 'very-long', seconds: 600 });
      const { worker, tracker, events } = startWorker({ stopGraceSeconds: 5 });
      await advanceSettled(t.clock, t.emulator, [tracker], 2_000);

      // Act
      const stopped = worker.stop();
      await advanceSettled(t.clock, t.emulator, [tracker], 5_000);

      // Assess
      expect(await stopped).toEqual({ processed: 0, failed: 0, released: 1 });
      expect(ofType(events, 'job-failed')).toEqual([]);
      expect((await peek()).map((m) => JSON.parse(m.Body as string).jobId)).toEqual(['very-long']);
    });

    test('an idle worker ends its long poll, so a later message waits for the next worker', async () => {
      // Prepare
      const { worker, tracker } = startWorker();
      await untilSettled(t.emulator, [tracker]);
      expect(t.emulator.sqs.waitingReceivers()).toBe(1);

      // Act
      const summary = await worker.stop();
      await untilSettled(t.emulator, [tracker]);
      await sendJobs({ jobId: 'after-stop', seconds: 1 });

      // Assess
      expect(summary).toEqual({ processed: 0, failed: 0, released: 0 });
      expect(t.emulator.sqs.waitingReceivers()).toBe(0);
      expect(await depth()).toEqual({ visible: 1, inFlight: 0 });
    });
  });

  test('a job whose message is gone (queue purged) loses its lease: it is cancelled, not deleted or counted', async () => {
    // Prepare
    await sendJobs({ jobId: 'purged', seconds: 100 });
    const { worker, tracker, events } = startWorker();
    await advanceSettled(t.clock, t.emulator, [tracker], 2_000);

    // Act
    await t.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    await advanceSettled(t.clock, t.emulator, [tracker], 15_000);

    // Assess
    expect(ofType(events, 'lease-lost')).toEqual([
      {
        type: 'lease-lost',
        messageId: expect.any(String),
        error: expect.stringContaining('MessageNotInflight'),
      },
    ]);
    expect(worker.inFlight).toBe(0);
    expect(await worker.stop()).toEqual({ processed: 0, failed: 0, released: 0 });
  });

  test('keeps polling after a failed receive, backing off on its clock', async () => {
    // Prepare: the queue disappears under the worker
    const { tracker, events } = startWorker();
    await untilSettled(t.emulator, [tracker]);
    await t.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));

    // Act
    await advanceSettled(t.clock, t.emulator, [tracker], 40_000);

    // Assess: failures 1, 2, 4, 8, 16 s apart, not a busy loop
    const failures = ofType(events, 'receive-failed');
    expect(failures.length).toBeGreaterThanOrEqual(4);
    expect(failures.length).toBeLessThanOrEqual(7);
    expect(failures[0].error).toContain('QueueDoesNotExist');
  });
});
