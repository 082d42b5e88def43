/**
 * Local mode's instances: child processes running the bundled worker, as user data runs it on EC2, stopped by
 * the group with SIGTERM. These run on real time (the worker's own clock), so they wait for events, not for time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildSync } from 'esbuild';
import { type InstanceLogLine, ProcessInstanceLauncher } from '../../../lib/emulator/autoscaling/instances';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';
import { groupInput } from './autoscaling-fixture';

const ROOT = path.join(__dirname, '..', '..', '..');
const outdir = mkdtempSync(path.join(tmpdir(), 'decoupled-worker-asset-'));

beforeAll(() => {
  // the asset as the stack bundles it: one index.js with the SDK inside
  buildSync({
    entryPoints: [path.join(ROOT, 'lambda', 'worker', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: path.join(outdir, 'index.js'),
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let t: TestEmulator;
let queueUrl: string;
const lines: InstanceLogLine[] = [];
beforeEach(async () => {
  t = await startTestEmulator();
  lines.length = 0;
  queueUrl = (
    await t.sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '60' } }))
  ).QueueUrl as string;
});
afterEach(async () => {
  await t.stop();
});

/** Waits (polling every 20 ms, 20 s at most) until `condition` holds: the child process works on real time. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}; instance output:\n${lines.map((l) => l.line).join('\n')}`);
}

async function depth() {
  const { Attributes } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

/** The worker's log events (Powertools JSON lines), by message. */
const logged = (message: string) =>
  lines
    .filter((l) => l.line.startsWith('{'))
    .map((l) => JSON.parse(l.line))
    .filter((e) => e.message === message);

function startGroup(stopGraceSeconds: number) {
  const launcher = new ProcessInstanceLauncher({
    directory: outdir,
    args: ['index.js'],
    // what local mode gives an instance: the template's environment plus the emulator's endpoint
    environment: {
      AWS_ENDPOINT_URL: t.emulator.endpoint,
      AWS_REGION: t.emulator.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      QUEUE_URL: queueUrl,
      VISIBILITY_TIMEOUT_SECONDS: '60',
      STOP_GRACE_SECONDS: String(stopGraceSeconds),
    },
    onLog: (line) => lines.push(line),
  });
  t.emulator.autoscaling.createAutoScalingGroup(
    groupInput('workers', { MinSize: 0, MaxSize: 1, DesiredCapacity: 1 }),
    launcher,
  );
}

const instances = () =>
  t.emulator.autoscaling.describeAutoScalingGroups({ AutoScalingGroupNames: ['workers'] })
    .AutoScalingGroups[0]?.Instances ?? [];

describe('instances as child processes running the bundled worker', () => {
  test('the worker starts with the emulator as its AWS, processes a job and deletes it', async () => {
    // Prepare
    startGroup(30);
    await until(() => logged('started').length === 1, 'the worker to start');

    // Act
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"jobId":"v-1","seconds":0}' }),
    );
    await until(() => logged('job-done').length === 1, 'the job to be done');

    // Assess
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(logged('started')[0]).toMatchObject({ service: 'queue-worker', queueUrl, concurrency: 1 });
    expect(lines.every((l) => l.instanceId === instances()[0].InstanceId)).toBe(true);
  });

  test('scale-in sends SIGTERM: the worker releases the job it cannot finish in its grace, and exits', async () => {
    // Prepare: a 10-minute job, no grace at all
    startGroup(0);
    await until(() => logged('started').length === 1, 'the worker to start');
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"jobId":"v-2","seconds":600}' }),
    );
    await until(async () => (await depth()).inFlight === 1, 'the job to be taken');

    // Act
    t.emulator.autoscaling.setDesiredCapacity({ AutoScalingGroupName: 'workers', DesiredCapacity: 0 });
    await until(() => instances().length === 0, 'the instance to terminate');

    // Assess
    expect(logged('signal')).toEqual([expect.objectContaining({ signal: 'SIGTERM' })]);
    expect(logged('stopped')).toEqual([expect.objectContaining({ processed: 0, failed: 0, released: 1 })]);
    expect(await depth()).toEqual({ visible: 1, inFlight: 0 });
  });
});
