/**
 * The project CLI (`npx decoupled status|peek|send|redrive|purge|clock|reset`) against an in-process emulator: the
 * real command line as a child process where the process matters (exit codes, stdout/stderr, the endpoint read
 * from the outputs file), the same commands in-process otherwise (each child costs a second of tsx start-up).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { PROJECT_COMMANDS } from '../../lib/project/cli';
import { collectingOutput, runProjectCommand } from '../../lib/project/project-command';
import { Project } from '../../lib/project/project';
import { readStatus } from '../../lib/project/status';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator';

const ROOT = path.join(__dirname, '..', '..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The environment of a user without AWS_ENDPOINT_URL: the endpoint must come from a flag or the outputs file. */
const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
);

/** Runs the real command line, as `npx decoupled …` does. */
function decoupled(
  args: readonly string[],
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // tsx by its path: the working directory (where outputs.json is looked for) is not the repository
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'bin/decoupled.ts'), ...args], {
      cwd,
      env: CLEAN_ENV,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command in-process, as the CLI does after reading its name. */
async function inProcess(name: string, args: readonly string[], cwd: string) {
  const out = collectingOutput();
  const errors: string[] = [];
  const code = await runProjectCommand(PROJECT_COMMANDS[name], args, {
    out,
    errors: (line) => errors.push(line),
    env: {},
    cwd,
  });
  return { code, stdout: out.lines.join('\n'), stderr: errors.join('\n') };
}

describe('the project CLI', () => {
  let t: TestEmulator;
  const dir = mkdtempSync(path.join(tmpdir(), 'decoupled-project-cli-'));
  const sandboxOutputs = path.join(dir, 'sandbox.json');
  const prodOutputs = path.join(dir, 'prod.json');
  const queues: Record<string, string> = {};

  const createQueue = async (name: string, attributes: Record<string, string> = {}) =>
    (await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
      .QueueUrl as string;
  const arnOf = async (url: string) =>
    (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn as string;
  const depth = async (url: string) => {
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };
  /** Receives until the queue's redrive policy has moved `count` messages to its DLQ (maxReceiveCount 1). */
  const deadLetter = async (url: string, bodies: readonly string[]) => {
    for (const body of bodies) await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    for (let round = 0; round < 3; round++) {
      await t.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
    }
  };

  beforeAll(async () => {
    t = await startTestEmulator();
    // CloudFormation's names for the stacks of lib/decoupled-app.ts: `<stack>-<LogicalId>-<SUFFIX>`
    queues.dlq = await createQueue('decoupled-sandbox-pipeline-DeadLetterQueue-AAAA');
    queues.work = await createQueue('decoupled-sandbox-pipeline-WorkQueue-BBBB', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(queues.dlq), maxReceiveCount: 1 }),
    });
    queues.jobsDlq = await createQueue('decoupled-sandbox-worker-fleet-DeadLetterQueue-CCCC');
    queues.jobs = await createQueue('decoupled-sandbox-worker-fleet-JobsQueue-DDDD', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(queues.jobsDlq), maxReceiveCount: 1 }),
    });
    queues.prodWork = await createQueue('decoupled-prod-pipeline-WorkQueue-EEEE');
    queues.other = await createQueue('not-of-the-app');
    writeFileSync(
      sandboxOutputs,
      JSON.stringify({
        'decoupled-sandbox-pipeline': {
          WorkQueueUrl: queues.work,
          DeadLetterQueueUrl: queues.dlq,
          BucketName: 'decoupled-sandbox-pipeline-bucket',
        },
        'decoupled-sandbox-worker-fleet': { JobsQueueUrl: queues.jobs, DeadLetterQueueUrl: queues.jobsDlq },
      }),
    );
    writeFileSync(
      prodOutputs,
      JSON.stringify({ 'decoupled-prod-pipeline': { WorkQueueUrl: queues.prodWork } }),
    );
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('purge WorkQueue: refused for a prod deployment (exit 1, the reason), done for sandbox', async () => {
    // Prepare
    await t.sqs.send(new SendMessageCommand({ QueueUrl: queues.prodWork, MessageBody: 'keep me' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: queues.work, MessageBody: 'drop me' }));

    // Act: the endpoint comes from the outputs file's queue URLs (npm start's loopback endpoint)
    const [prod, sandbox] = await Promise.all([
      decoupled(['purge', 'WorkQueue', '--outputs-file', prodOutputs]),
      decoupled(['purge', 'WorkQueue', '--outputs-file', sandboxOutputs]),
    ]);

    // Assess
    expect(prod).toMatchObject({ code: 1, stdout: '' });
    expect(prod.stderr).toBe(
      'decoupled purge: refusing to purge WorkQueue: it belongs to the prod stage (its stack decoupled-prod-pipeline). ' +
        'The prod queue policies deny sqs:PurgeQueue to every principal (lib/config.ts: allowQueuePurge is false in ' +
        'prod), so AWS refuses it too; receive and delete the messages you mean to drop, or redrive a dead-letter ' +
        'queue instead\n',
    );
    expect(await depth(queues.prodWork)).toBe(1);
    expect(sandbox).toEqual({ code: 0, stdout: `purged WorkQueue (${queues.work})\n`, stderr: '' });
    expect(await depth(queues.work)).toBe(0);
  });

  test('a prod queue is refused by its name too, without an outputs file', async () => {
    const { code, stderr } = await inProcess(
      'purge',
      [queues.prodWork, '--endpoint-url', t.emulator.endpoint],
      dir,
    );

    expect(code).toBe(1);
    expect(stderr).toContain(
      `it belongs to the prod stage (its name decoupled-prod-pipeline-WorkQueue-EEEE)`,
    );
    expect(await depth(queues.prodWork)).toBe(1);
  });

  test('send to an output name, then redrive the DLQ back to its source queue; an ambiguous name is refused', async () => {
    // Prepare: outputs.json in the working directory is the default outputs file
    writeFileSync(path.join(dir, 'outputs.json'), readFileSync(sandboxOutputs));
    const sent = await inProcess(
      'send',
      [
        'WorkQueue',
        '{"orderId":"o-11","items":[]}',
        '--attribute',
        'type=car',
        '--attribute',
        'rank:Number=2',
      ],
      dir,
    );
    await deadLetter(queues.work, ['second']);
    // a queue by its own name (GetQueueUrl), the body from a file
    writeFileSync(path.join(dir, 'body.txt'), 'from a file\n');
    const byName = await inProcess('send', ['not-of-the-app', '--file', path.join(dir, 'body.txt')], dir);
    const dead = await depth(queues.dlq);

    // Act
    const ambiguous = await inProcess('redrive', ['DeadLetterQueue'], dir);
    const redriven = await inProcess('redrive', ['pipeline/DeadLetterQueue'], dir);

    // Assess
    expect(sent).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^sent [0-9a-f-]{36} to WorkQueue$/),
      stderr: '',
    });
    expect(dead).toBe(2);
    expect(byName).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^sent [0-9a-f-]{36} to not-of-the-app$/),
      stderr: '',
    });
    const fromFile = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.other }));
    expect(fromFile.Messages?.map((m) => m.Body)).toEqual(['from a file\n']);
    expect(ambiguous).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'decoupled redrive: DeadLetterQueue is a queue of several stacks in outputs.json (decoupled-sandbox-pipeline, ' +
        'decoupled-sandbox-worker-fleet): name one, e.g. pipeline/DeadLetterQueue',
    });
    expect(redriven).toEqual({
      code: 0,
      stdout: 'moved 2 message(s) from pipeline/DeadLetterQueue to WorkQueue',
      stderr: '',
    });
    expect(await depth(queues.dlq)).toBe(0);
    const { Messages } = await t.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.work,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages?.map((m) => m.Body).sort()).toEqual(['second', '{"orderId":"o-11","items":[]}']);
    expect(Messages?.find((m) => m.Body !== 'second')?.MessageAttributes).toEqual({
      type: { DataType: 'String', StringValue: 'car' },
      rank: { DataType: 'Number', StringValue: '2' },
    });
    for (const { ReceiptHandle } of Messages ?? []) {
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: queues.work, ReceiptHandle }));
    }
  });

  test("status shows the control API's numbers, the app's alarms in ALARM and its groups", async () => {
    // Prepare: WorkQueue holds one message in flight, two visible (one JSON with attributes), one delayed
    await t.sqs.send(new SendMessageCommand({ QueueUrl: queues.work, MessageBody: 'busy' }));
    await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.work, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }),
    );
    await t.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.work,
        MessageBody: '{"orderId":"o-12","items":[]}',
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'car' },
          rank: { DataType: 'Number', StringValue: '2' },
        },
      }),
    );
    await t.sqs.send(new SendMessageCommand({ QueueUrl: queues.work, MessageBody: 'plain' }));
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: queues.work, MessageBody: 'later', DelaySeconds: 600 }),
    );
    t.clock.advance(95_000);
    await deadLetter(queues.jobs, ['job']);
    const cloudwatch = new CloudWatchClient({
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const autoscaling = new AutoScalingClient({
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    for (const AlarmName of ['decoupled-sandbox-pipeline-DeadLetterAlarm-FFFF', 'someone-elses-alarm']) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: 'decoupled-sandbox-pipeline-DeadLetterQueue-AAAA' }],
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      );
      await cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName, StateValue: 'ALARM', StateReason: 'a test says so' }),
      );
    }
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'decoupled-sandbox-worker-fleet-WorkersGroupASG-GGGG',
        LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
        VPCZoneIdentifier: 'subnet-0aaa1111bbbb2222c',
        MinSize: 0,
        MaxSize: 4,
        DesiredCapacity: 0,
      }),
    );
    cloudwatch.destroy();
    autoscaling.destroy();

    // Act
    const { code, stdout, stderr } = await decoupled(['status'], dir);
    const control = (await (await fetch(`${t.emulator.endpoint}/_emulator/queues`)).json()) as {
      queues: {
        name: string;
        visible: number;
        inFlight: number;
        delayed: number;
        oldestAgeSeconds: number | null;
      }[];
    };
    const project = new Project({ cwd: dir, env: {} });
    const viaAws = await readStatus(project, 'aws').finally(() => project.close());

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      `outputs.json (pipeline, worker-fleet) at ${t.emulator.endpoint}, numbers from the emulator`,
    );
    const row = (label: string) =>
      lines
        .find((l) => l.trimStart().startsWith(`${label} `))
        ?.trim()
        .split(/ {2,}/);
    const numbersOf = (name: string) => {
      const q = control.queues.find((c) => c.name === name);
      return q && [String(q.visible), String(q.inFlight), String(q.delayed)];
    };
    expect(row('WorkQueue')).toEqual(['WorkQueue', '2', '1', '1', '0', '1m 35s']);
    expect(row('WorkQueue')?.slice(1, 4)).toEqual(numbersOf('decoupled-sandbox-pipeline-WorkQueue-BBBB'));
    expect(row('JobsQueue')).toEqual(['JobsQueue', '0', '0', '0', '1', '-']);
    expect(row('pipeline/DeadLetterQueue')).toEqual(['pipeline/DeadLetterQueue', '0', '0', '0', '-', '-']);
    expect(row('worker-fleet/DeadLetterQueue')?.slice(0, 2)).toEqual(['worker-fleet/DeadLetterQueue', '1']);
    expect(stdout).not.toContain('not-of-the-app');
    expect(lines).toEqual(expect.arrayContaining(['pipeline', 'worker-fleet'])); // the stacks' headings
    expect(stdout).toContain(
      'Alarms in ALARM (1):\n  decoupled-sandbox-pipeline-DeadLetterAlarm-FFFF: a test says so\n',
    );
    expect(row('decoupled-sandbox-worker-fleet-WorkersGroupASG-GGGG')).toEqual([
      'decoupled-sandbox-worker-fleet-WorkersGroupASG-GGGG',
      '0',
      '0',
      '0',
      '4',
    ]);
    // the AWS path (GetQueueAttributes) counts the same
    const counts = (q: {
      label: string;
      visible: number;
      inFlight: number;
      delayed: number;
      deadLetterDepth: number | null;
    }) => [q.label, q.visible, q.inFlight, q.delayed, q.deadLetterDepth];
    const local = new Project({ cwd: dir, env: {} });
    const viaControl = await readStatus(local, 'control-api').finally(() => local.close());
    expect(viaAws.queues.map(counts)).toEqual(viaControl.queues.map(counts));
  });

  test('peek shows the messages, bodies indented, without receiving them', async () => {
    // Prepare
    const before = await fetchMessages();

    // Act
    const { code, stdout, stderr } = await inProcess('peek', ['WorkQueue', '-n', '10'], dir);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      'WorkQueue: 4 of 4 message(s) (2 visible, 1 in flight, 1 delayed); nothing was received or changed',
    );
    const order = lines.findIndex((l) => l.includes('"orderId"'));
    expect(lines.slice(order - 2, order + 4)).toEqual([
      expect.stringMatching(/^#\d {2}visible {2}received 0× {2}age 1m 35s {2}[0-9a-f-]{36}$/),
      '    {',
      '      "orderId": "o-12",',
      '      "items": []',
      '    }',
      '    attributes: type=car, rank=2',
    ]);
    expect(stdout).toMatch(
      /#\d {2}in flight {2}received 1× {2}age 1m 35s {2}[0-9a-f-]{36} {2}visible at \S+\n {4}busy/,
    );
    expect(stdout).toMatch(
      /#\d {2}delayed {2}received 0× {2}age 1m 35s {2}[0-9a-f-]{36} {2}visible at \S+\n {4}later/,
    );
    expect(await fetchMessages()).toEqual(before);
  });

  test('Ctrl-C during a redrive cancels the move task and says so (exit 130)', async () => {
    // Prepare: with --rate 1 and the manual clock standing still, the task moves one message and waits
    for (const body of ['a', 'b', 'c']) {
      await t.sqs.send(new SendMessageCommand({ QueueUrl: queues.dlq, MessageBody: body }));
    }
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        path.join(ROOT, 'bin/decoupled.ts'),
        'redrive',
        'pipeline/DeadLetterQueue',
        '--to',
        'WorkQueue',
        '--rate',
        '1',
      ],
      { cwd: dir, env: CLEAN_ENV },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Act
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('moved 1/3')) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await closed;

    // Assess
    expect(stdout).toBe(
      'redrive pipeline/DeadLetterQueue → WorkQueue: moved 1/3\n' +
        "the emulator's clock is manual: the task moves on as it advances (npx decoupled clock advance 1m)\n",
    );
    expect({ code, stderr }).toEqual({
      code: 130,
      stderr:
        'decoupled redrive: cancelled the move task (CancelMessageMoveTask) after 1 of 3 message(s): the rest stay in ' +
        'pipeline/DeadLetterQueue\n',
    });
    expect(await depth(queues.dlq)).toBe(2);
    const { Results } = await t.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: await arnOf(queues.dlq), MaxResults: 1 }),
    );
    expect(Results?.[0]).toMatchObject({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: 1 });
  });

  test('clock, clock advance, then reset (asks nothing)', async () => {
    // Prepare
    const start = t.clock.now();

    // Act
    const read = await inProcess('clock', ['--endpoint-url', t.emulator.endpoint], dir);
    const advanced = await inProcess('clock', ['advance', '10m'], dir);
    const unreadable = await inProcess('clock', ['advance', 'soon'], dir);
    const reset = await inProcess('reset', [], dir);

    // Assess
    expect(read).toEqual({ code: 0, stdout: `manual clock at ${new Date(start).toISOString()}`, stderr: '' });
    expect(advanced).toEqual({
      code: 0,
      stdout: `advanced 10m: manual clock at ${new Date(start + 600_000).toISOString()} (was ${new Date(start).toISOString()})`,
      stderr: '',
    });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/^decoupled clock: InvalidParameterValue: /);
    expect(reset).toEqual({
      code: 0,
      stdout: `reset ${t.emulator.endpoint}: back to its state right after start`,
      stderr: '',
    });
    expect((await t.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
  });

  test('usage errors exit 2 with the usage; help COMMAND; an unreachable endpoint and a non-emulator say so in one line', async () => {
    // Prepare: an endpoint that answers, but is not the emulator
    const other = createServer((_, res) => res.writeHead(404).end('no'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherEndpoint = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    // and a port nothing listens on
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedEndpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    // Act
    const help = await decoupled(['help', 'send'], dir);
    const missing = await inProcess('peek', [], dir);
    const noBody = await inProcess('send', ['WorkQueue'], dir);
    const badCount = await inProcess('peek', ['WorkQueue', '-n', '101', '--bogus'], dir);
    const unreachable = await inProcess('status', ['--endpoint-url', closedEndpoint], dir);
    const notEmulator = await inProcess('peek', ['WorkQueue', '--endpoint-url', otherEndpoint], dir);
    other.close();

    // Assess
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^decoupled peek: missing QUEUE\n\nusage: decoupled peek QUEUE \[-n N\]/);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: decoupled send QUEUE \(BODY \| --file F\)/);
    expect(noBody.code).toBe(2);
    expect(noBody.stderr).toMatch(/^decoupled send: give the body either as BODY or as --file F\n\nusage:/);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toMatch(/^decoupled peek: unknown option '--bogus'\n/);
    expect(unreachable).toEqual({
      code: 1,
      stdout: '',
      stderr: `decoupled status: cannot reach ${closedEndpoint} (connection refused): is npm start (or npm run emulator) running there?`,
    });
    expect(notEmulator).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `decoupled peek: peek works only against the local emulator (AWS has no read that leaves a message ` +
        `untouched); ${otherEndpoint} is not one: give --endpoint-url http://127.0.0.1:4566 with npm start running`,
    });
  });

  /** The messages of WorkQueue as the control API shows them. */
  async function fetchMessages(): Promise<unknown> {
    const response = await fetch(
      `${t.emulator.endpoint}/_emulator/queues/decoupled-sandbox-pipeline-WorkQueue-BBBB/messages?max=100`,
    );
    return response.json();
  }
});
