import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  jobsQueueFromOutputs,
  parseSendJobsArgs,
  sendJobs,
  SendJobsUsageError,
} from '../../lib/workshop/send-jobs';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator';

describe('send-jobs', () => {
  let t: TestEmulator;
  const dir = mkdtempSync(path.join(tmpdir(), 'decoupled-send-jobs-'));
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sends N encode jobs to the queue the outputs file names', async () => {
    // Prepare
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    const outputs = path.join(dir, 'outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({ 'decoupled-sandbox-worker-fleet': { JobsQueueUrl: QueueUrl, ScalingMode: 'step' } }),
    );
    const printed: string[] = [];

    // Act
    const used = await sendJobs({ outputsFile: outputs, count: 25, seconds: 2 }, t.sqs, (l) =>
      printed.push(l),
    );
    const bodies: string[] = [];
    for (;;) {
      const { Messages } = await t.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages?.length) break;
      bodies.push(...Messages.map((m) => m.Body as string));
    }

    // Assess
    expect(used).toBe(QueueUrl);
    expect(bodies).toHaveLength(25);
    expect(bodies.map((b) => JSON.parse(b)).sort((a, b) => a.jobId.localeCompare(b.jobId))[24]).toEqual({
      jobId: 'video-0024',
      seconds: 2,
    });
    expect(printed).toEqual([
      expect.stringMatching(new RegExp(`^sent 25 job\\(s\\) of 2 s to ${QueueUrl} in \\d+ ms$`)),
    ]);
  });

  test('the command line: defaults, and every problem at once', () => {
    expect(parseSendJobsArgs(['--queue-url', 'https://q'])).toEqual({
      queueUrl: 'https://q',
      count: 1000,
      seconds: 6,
    });
    expect(parseSendJobsArgs(['--outputs-file=o.json', '--count=50', '--seconds', '0.5'])).toMatchObject({
      outputsFile: 'o.json',
      count: 50,
      seconds: 0.5,
    });
    expect(() => parseSendJobsArgs(['--count', '0', '--seconds', 'soon', '--fast'])).toThrow(
      new SendJobsUsageError(
        "--count must be a whole number from 1 to 100000, not '0'; --seconds must be a number from 0 to 43200, not 'soon'; unknown argument '--fast'; give either --queue-url or --outputs-file",
      ),
    );
  });

  test('an outputs file without the WorkerFleet stack says so', () => {
    expect(() =>
      jobsQueueFromOutputs({ 'decoupled-sandbox-pipeline': { WorkQueueUrl: 'x' } }, 'outputs.json'),
    ).toThrow('outputs.json has no JobsQueueUrl output: deploy the WorkerFleet stack with --outputs-file');
  });
});
