/**
 * Issue 14's "done when", end to end: the pinned CDK CLI (node_modules/.bin/cdk, a child process) bootstraps,
 * deploys, updates, hotswaps and destroys the real app in the emulator over the wire, as a user's `cdk deploy` to
 * AWS_ENDPOINT_URL does. The app is not synthesized again: the CLI deploys the cloud assembly the suite already
 * synthesized (`--app <assembly dir>`), and a change to the app is a change to a copy of that assembly, made as a
 * synthesis would make it (a new asset hash for new handler code, a new template hash for a new template).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ManualClock } from '../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';
import { eventually, sqsClientFor, TEST_CREDENTIALS } from '../helpers/emulator';
import { TEST_ASSEMBLY_TIMEOUT_MS, testAssembly } from '../helpers/test-assembly';

const ROOT = path.join(__dirname, '..', '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const SAMPLES = path.join(ROOT, 'docs', 'workshop', 'samples');
const ACCOUNT = '000000000000';
const PIPELINE = 'decoupled-sandbox-pipeline';
/** Logical ids in the pipeline's template. */
const DEAD_LETTER_QUEUE = 'WorkQueueDeadLetterQueueF71CA21F';
const CONSUMER = 'ConsumerFunction1B019A9B';
/** The consumer's log line that tells which version of its code ran. */
const PROCESSED = 'order processed';
/** One CLI run takes seconds of CPU (the CLI loads 16 MB of JavaScript); the machine is shared. */
const CLI_TIMEOUT_MS = 90_000;

interface CliRun {
  readonly code: number | null;
  /** Standard output and error together, as a terminal shows them. */
  readonly output: string;
  readonly ms: number;
}

/** A copy of the synthesized assembly that a test changes as a new synthesis would: asset dirs are linked. */
class AssemblyCopy {
  constructor(readonly directory: string) {}

  static of(source: string, directory: string): AssemblyCopy {
    mkdirSync(directory);
    for (const entry of readdirSync(source)) {
      const from = path.join(source, entry);
      if (entry.startsWith('asset.')) symlinkSync(from, path.join(directory, entry));
      else cpSync(from, path.join(directory, entry), { recursive: true });
    }
    return new AssemblyCopy(directory);
  }

  /** Rewrites a stack's template; its new hash (the S3 key the CLI uploads it to) goes where the old one was. */
  editTemplate(stackId: string, edit: (template: Record<string, any>) => void): void {
    this.rewriteTemplate(stackId, (text) => {
      const template = JSON.parse(text);
      edit(template);
      return JSON.stringify(template, undefined, 1);
    });
  }

  /** Edits a file of a stack's code asset into a new asset: a new hash, which the CLI publishes and the template names. */
  editAsset(stackId: string, displayName: string, file: string, edit: (text: string) => string): void {
    const assets = JSON.parse(readFileSync(path.join(this.directory, `${stackId}.assets.json`), 'utf8'));
    const files = Object.entries(assets.files as Record<string, { displayName: string }>);
    const hash = files.find(([, a]) => a.displayName === displayName)?.[0];
    if (hash === undefined) throw new Error(`no asset ${displayName} in ${stackId}`);
    const before = path.join(this.directory, `asset.${hash}`);
    const text = edit(readFileSync(path.join(before, file), 'utf8'));
    const newHash = sha256(text);
    const after = path.join(this.directory, `asset.${newHash}`);
    mkdirSync(after);
    for (const entry of readdirSync(before)) cpSync(path.join(before, entry), path.join(after, entry));
    writeFileSync(path.join(after, file), text);
    rmSync(before, { recursive: true }); // the link to the suite's assembly, or an earlier edit
    this.rehash(hash, newHash, [`${stackId}.assets.json`]);
    this.rewriteTemplate(stackId, (template) => template.replaceAll(hash, newHash));
  }

  private rewriteTemplate(stackId: string, rewrite: (text: string) => string): void {
    const file = path.join(this.directory, `${stackId}.template.json`);
    const before = readFileSync(file, 'utf8');
    const after = rewrite(before);
    writeFileSync(file, after);
    this.rehash(sha256(before), sha256(after), [`${stackId}.assets.json`, 'manifest.json']);
  }

  private rehash(from: string, to: string, files: readonly string[]): void {
    for (const name of files) {
      const file = path.join(this.directory, name);
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll(from, to));
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('the pinned CDK CLI deploys the app to the emulator over the wire', () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let work: string;
  let app: AssemblyCopy;
  let sqs: SQSClient;
  let s3: S3Client;
  let cloudformation: CloudFormationClient;
  const functionLines: string[] = [];
  /** The request log's lines: by default, calls answered with a 5xx or not emulated. */
  const failedCalls: string[] = [];
  let outputs: Record<string, Record<string, string>>;
  /** What each step took, for the closing note of issue 14 (printed with DECOUPLED_CDK_TIMINGS=1). */
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const assembly = await testAssembly();
    // the emulator's clock starts at the real time (the CLI reads stack events newer than its change set)
    clock = new ManualClock(Date.now());
    emulator = await startEmulator({
      port: 0,
      clock,
      region: 'us-east-1',
      onFunctionLog: (line) => functionLines.push(line.line),
      onRequestLog: (line) => failedCalls.push(line),
    });
    const { endpoint, region } = emulator;
    sqs = sqsClientFor(endpoint);
    s3 = new S3Client({ endpoint, region, credentials: TEST_CREDENTIALS, forcePathStyle: true });
    cloudformation = new CloudFormationClient({ endpoint, region, credentials: TEST_CREDENTIALS });
    work = mkdtempSync(path.join(tmpdir(), 'decoupled-cdk-cli-'));
    app = AssemblyCopy.of(assembly, path.join(work, 'cdk.out'));
  }, TEST_ASSEMBLY_TIMEOUT_MS);

  afterAll(async () => {
    if (process.env.DECOUPLED_CDK_TIMINGS) console.log(JSON.stringify(timings));
    sqs?.destroy();
    s3?.destroy();
    cloudformation?.destroy();
    await emulator?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Starts the CLI as a user would after the issue's `export AWS_ENDPOINT_URL=… AWS_REGION=… AWS_ACCESS_KEY_ID=…`. */
  function startCdk(args: readonly string[], cwd = work) {
    // the emulated time is never behind the CLI's, whose stack-event filter compares the two
    clock.advanceTo(Math.max(clock.now(), Date.now()));
    const child = spawn(CDK, [...args, '--no-notices', '--no-color'], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: work,
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        // no profile, instance metadata, update check or telemetry: nothing but the emulator is asked
        AWS_CONFIG_FILE: path.join(work, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CI: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // a CLI that hangs (a poll that never ends) is ended before Jest gives up on the test
      timeout: CLI_TIMEOUT_MS - 5_000,
    });
    const run = { child, output: '' };
    child.stdout.on('data', (chunk) => (run.output += chunk));
    child.stderr.on('data', (chunk) => (run.output += chunk));
    return run;
  }

  /** Runs the CLI to its end. */
  function cdk(step: string, ...args: string[]): Promise<CliRun> {
    const started = Date.now();
    const run = startCdk(args);
    return new Promise((resolve, reject) => {
      run.child.on('error', reject);
      run.child.on('close', (code) => {
        const ms = Date.now() - started;
        timings[step] = ms;
        resolve({ code, output: run.output, ms });
      });
    });
  }

  function expectSuccess(run: CliRun): void {
    if (run.code !== 0) throw new Error(`cdk exited with ${run.code}:\n${run.output}`);
  }

  async function stackStatus(name: string): Promise<string | undefined> {
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
    return Stacks?.[0]?.StackStatus;
  }

  /** The physical id of a resource of the pipeline stack: the same one after an update in place. */
  async function physicalIdOf(logicalId: string): Promise<string | undefined> {
    const { StackResourceDetail } = await cloudformation.send(
      new DescribeStackResourceCommand({ StackName: PIPELINE, LogicalResourceId: logicalId }),
    );
    return StackResourceDetail?.PhysicalResourceId;
  }

  async function resultKeys(bucket: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'results/' }));
    return (listed.Contents ?? []).map((o) => o.Key as string).sort();
  }

  /** The log lines of the consumer for one order: which code processed it. */
  const processedLines = (orderId: string) =>
    functionLines.filter((l) => l.includes(PROCESSED) && l.includes(`"orderId":"${orderId}"`));

  /** Uploads one order; resolves with the consumer's log lines for it once its result is written. */
  async function processOrder(orderId: string): Promise<string[]> {
    const bucket = outputs[PIPELINE].BucketName;
    const order = { orderId, customerId: 'c-1', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }] };
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `uploads/${orderId}.json`, Body: JSON.stringify([order]) }),
    );
    await eventually(
      async () => ((await resultKeys(bucket)).includes(`results/${orderId}.json`) ? true : undefined),
      { clock },
    );
    // the function's standard output reaches the emulator after the PutObject it made
    return eventually(() => (processedLines(orderId).length > 0 ? processedLines(orderId) : undefined));
  }

  test(
    'cdk bootstrap creates the CDKToolkit stack',
    async () => {
      const run = await cdk('bootstrap', 'bootstrap', `aws://${ACCOUNT}/us-east-1`);

      expectSuccess(run);
      expect(run.output).toContain(`Environment aws://${ACCOUNT}/us-east-1 bootstrapped`);
      expect(await stackStatus('CDKToolkit')).toBe('CREATE_COMPLETE');
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'cdk deploy --all deploys every stack, and its outputs file has the outputs the stacks declare',
    async () => {
      const outputsFile = path.join(work, 'outputs.json');

      const run = await cdk(
        'deploy --all (cold)',
        'deploy',
        '--app',
        app.directory,
        '--all',
        '--require-approval',
        'never',
        '--outputs-file',
        outputsFile,
      );

      expectSuccess(run);
      outputs = JSON.parse(readFileSync(outputsFile, 'utf8'));
      const manifest = JSON.parse(readFileSync(path.join(app.directory, 'manifest.json'), 'utf8'));
      const declared: Record<string, string[]> = {};
      for (const [id, artifact] of Object.entries<any>(manifest.artifacts)) {
        if (artifact.type !== 'aws:cloudformation:stack') continue;
        const template = JSON.parse(readFileSync(path.join(app.directory, `${id}.template.json`), 'utf8'));
        declared[artifact.properties.stackName] = Object.keys(template.Outputs ?? {}).sort();
      }
      const written = Object.fromEntries(Object.entries(outputs).map(([s, o]) => [s, Object.keys(o).sort()]));
      expect(written).toEqual(declared);
      expect(Object.keys(declared)).toHaveLength(6);
      for (const name of Object.keys(declared)) expect(await stackStatus(name)).toBe('CREATE_COMPLETE');
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'a second cdk deploy without changes changes nothing',
    async () => {
      const run = await cdk(
        'deploy --all (warm, no changes)',
        'deploy',
        '--app',
        app.directory,
        '--all',
        '--require-approval',
        'never',
      );

      expectSuccess(run);
      expect(run.output.match(/\(no changes\)/g)).toHaveLength(6);
    },
    CLI_TIMEOUT_MS,
  );

  test('the deployed pipeline works: an uploaded order file becomes results/<orderId>.json', async () => {
    const bucket = outputs[PIPELINE].BucketName;

    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'uploads/orders.json',
        Body: readFileSync(path.join(SAMPLES, 'orders.json')),
      }),
    );

    const keys = await eventually(
      async () => {
        const found = await resultKeys(bucket);
        return found.length === 3 ? found : undefined;
      },
      { clock },
    );
    expect(keys).toEqual(['results/o-1.json', 'results/o-2.json', 'results/o-3.json']);
  });

  test(
    'a deploy with new handler code and a new visibility timeout updates in place and keeps queued messages',
    async () => {
      // Prepare: a message waits in the dead-letter queue, whose visibility timeout changes
      const deadLetters = outputs[PIPELINE].DeadLetterQueueUrl;
      await sqs.send(
        new SendMessageCommand({ QueueUrl: deadLetters, MessageBody: 'kept across the update' }),
      );
      const before = [await physicalIdOf(DEAD_LETTER_QUEUE), await physicalIdOf(CONSUMER)];
      app.editTemplate('Pipeline', (template) => {
        template.Resources[DEAD_LETTER_QUEUE].Properties.VisibilityTimeout = 45;
      });
      app.editAsset('Pipeline', 'Consumer/Function/Code', 'index.js', (code) =>
        code.replace(`"${PROCESSED}"`, `"${PROCESSED} (v2)"`),
      );

      // Act
      const run = await cdk(
        'deploy Pipeline (update)',
        'deploy',
        '--app',
        app.directory,
        'Pipeline',
        '--require-approval',
        'never',
      );

      // Assess
      expectSuccess(run);
      expect(await stackStatus(PIPELINE)).toBe('UPDATE_COMPLETE');
      expect([await physicalIdOf(DEAD_LETTER_QUEUE), await physicalIdOf(CONSUMER)]).toEqual(before);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: deadLetters, AttributeNames: ['All'] }),
      );
      expect(Attributes).toMatchObject({ VisibilityTimeout: '45', ApproximateNumberOfMessages: '1' });
      expect(await processOrder('o-20')).toEqual([expect.stringContaining(`"${PROCESSED} (v2)"`)]);
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'cdk diff shows a pending change against the deployed template, and changes nothing',
    async () => {
      app.editTemplate('Pipeline', (template) => {
        template.Resources[DEAD_LETTER_QUEUE].Properties.VisibilityTimeout = 60;
      });
      try {
        const run = await cdk('diff Pipeline', 'diff', '--app', app.directory, 'Pipeline');

        expectSuccess(run);
        expect(run.output).toMatch(
          /\[~\] AWS::SQS::Queue WorkQueue\/DeadLetterQueue \S+\s+└─ \[~\] VisibilityTimeout/,
        );
        expect(run.output).toMatch(/├─ \[-\] 45\s+└─ \[\+\] 60/);
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: outputs[PIPELINE].DeadLetterQueueUrl,
            AttributeNames: ['VisibilityTimeout'],
          }),
        );
        expect(Attributes?.VisibilityTimeout).toBe('45');
      } finally {
        app.editTemplate('Pipeline', (template) => {
          template.Resources[DEAD_LETTER_QUEUE].Properties.VisibilityTimeout = 45;
        });
      }
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'a template that fails makes cdk deploy exit non-zero naming the resource and reason, and the stack rolls back',
    async () => {
      app.editTemplate('Pipeline', (template) => {
        // SQS allows a visibility timeout of at most 12 hours (43200 s)
        template.Resources.BrokenQueue = {
          Type: 'AWS::SQS::Queue',
          Properties: { VisibilityTimeout: 99_999 },
        };
      });

      const run = await cdk(
        'deploy Pipeline (failing)',
        'deploy',
        '--app',
        app.directory,
        'Pipeline',
        '--require-approval',
        'never',
      );

      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(
        /CREATE_FAILED\s+\|\s+AWS::SQS::Queue\s+\|\s+BrokenQueue\s+\S.*VisibilityTimeout/,
      );
      expect(run.output).toContain('Failed resources:');
      expect(await stackStatus(PIPELINE)).toBe('UPDATE_ROLLBACK_COMPLETE');
      const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: PIPELINE }));
      expect(QueueUrls?.some((url) => url.includes('BrokenQueue'))).toBe(false);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: outputs[PIPELINE].DeadLetterQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
      app.editTemplate('Pipeline', (template) => {
        delete template.Resources.BrokenQueue;
      });
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'cdk deploy --hotswap swaps the changed handler and the next invocation runs the new code',
    async () => {
      app.editAsset('Pipeline', 'Consumer/Function/Code', 'index.js', (code) =>
        code.replace(`"${PROCESSED} (v2)"`, `"${PROCESSED} (v3)"`),
      );

      const run = await cdk(
        'deploy --hotswap Pipeline',
        'deploy',
        '--app',
        app.directory,
        'Pipeline',
        '--hotswap',
        '--require-approval',
        'never',
      );

      expectSuccess(run);
      expect(run.output).toMatch(/hotswapped!/i);
      // the CLI times the swap itself ("hotswap-deployment time") and its whole deployment ("Deployment time")
      const swapSeconds = Number(/hotswap-deployment time: ([\d.]+)s/.exec(run.output)?.[1]);
      timings['hotswap-deployment time'] = swapSeconds * 1000;
      timings['hotswap Deployment time'] = Number(/Deployment time: ([\d.]+)s/.exec(run.output)?.[1]) * 1000;
      // the goal is under 2 s (0.9-2.4 s measured); the bound leaves room for the whole suite's load
      expect(swapSeconds).toBeLessThan(8);
      expect(await processOrder('o-30')).toEqual([expect.stringContaining(`"${PROCESSED} (v3)"`)]);
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'cdk watch --hotswap swaps a handler when its source changes, and the next invocation runs the new code',
    async () => {
      // Prepare: a project whose app (a synthesis in milliseconds) builds the consumer's code from src/consumer
      const project = path.join(work, 'watch');
      const source = path.join(project, 'src', 'consumer');
      const assets = JSON.parse(readFileSync(path.join(app.directory, 'Pipeline.assets.json'), 'utf8'));
      const hash = Object.entries<{ displayName: string }>(assets.files).find(
        ([, asset]) => asset.displayName === 'Consumer/Function/Code',
      )?.[0];
      cpSync(path.join(app.directory, `asset.${hash}`), source, { recursive: true, dereference: true });
      const fixture = path.join(__dirname, 'fixtures', 'watch-app.js');
      writeFileSync(
        path.join(project, 'cdk.json'),
        JSON.stringify({
          app: `node ${fixture} ${app.directory} Consumer/Function/Code ${source}`,
          watch: { include: ['src/**'] },
        }),
      );
      const watch = startCdk(['watch', '--hotswap', 'Pipeline'], project);
      const exited = new Promise<number | null>((resolve) => watch.child.on('close', resolve));
      const seen = (pattern: RegExp, from = 0) =>
        eventually(() => (pattern.test(watch.output.slice(from)) ? true : undefined), {
          timeoutMs: CLI_TIMEOUT_MS / 3,
        }).catch((error: Error) => {
          throw new Error(`${error.message}: no ${pattern} in the output of cdk watch:\n${watch.output}`);
        });
      try {
        // the initial deploy finds the code already deployed
        await seen(/Triggering initial 'cdk deploy'[\s\S]*(no changes|Deployment time)/);

        // Act: the handler's source is saved
        const before = watch.output.length;
        const saved = Date.now();
        const file = path.join(source, 'index.js');
        writeFileSync(
          file,
          readFileSync(file, 'utf8').replace(/"order processed[^"]*"/, `"${PROCESSED} (v4)"`),
        );
        await seen(/hotswap-deployment time: [\d.]+s/, before);

        // Assess
        const swapped = Date.now() - saved;
        const after = watch.output.slice(before);
        expect(after).toContain('Detected change to');
        const swapSeconds = Number(/hotswap-deployment time: ([\d.]+)s/.exec(after)?.[1]);
        timings['watch: hotswap-deployment time'] = swapSeconds * 1000;
        timings['watch: save to swapped'] = swapped;
        // the goal is under 2 s; the bound leaves room for the whole suite's load
        expect(swapSeconds).toBeLessThan(8);
        expect(await processOrder('o-40')).toEqual([expect.stringContaining(`"${PROCESSED} (v4)"`)]);
      } finally {
        watch.child.kill('SIGINT');
        await exited;
      }
    },
    CLI_TIMEOUT_MS,
  );

  test(
    'cdk destroy --all leaves no stack, queue, topic, bucket or function of the app behind',
    async () => {
      const run = await cdk('destroy --all', 'destroy', '--app', app.directory, '--all', '--force');

      expectSuccess(run);
      const { StackSummaries } = await cloudformation.send(
        new ListStacksCommand({
          StackStatusFilter: [
            'CREATE_COMPLETE',
            'UPDATE_COMPLETE',
            'UPDATE_ROLLBACK_COMPLETE',
            'ROLLBACK_COMPLETE',
            'DELETE_FAILED',
          ],
        }),
      );
      expect(StackSummaries?.map((s) => s.StackName)).toEqual(['CDKToolkit']);
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
      const sns = new SNSClient({
        endpoint: emulator.endpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
      });
      const lambda = new LambdaClient({
        endpoint: emulator.endpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
      });
      try {
        expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
        expect((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).toEqual([]);
      } finally {
        sns.destroy();
        lambda.destroy();
      }
      // the bootstrap stack's staging bucket is retained, as on AWS
      const { Buckets } = await s3.send(new ListBucketsCommand({}));
      expect(Buckets?.map((b) => b.Name)).toEqual([`cdk-hnb659fds-assets-${ACCOUNT}-us-east-1`]);
    },
    CLI_TIMEOUT_MS,
  );

  test('the CLI called nothing the emulator does not answer, beyond one call it does without', () => {
    const calls = failedCalls.map((line) => line.replace(/^\S+ /, '').replace(/ \d+ms$/, ''));
    // on a failed deployment the CLI looks in CloudTrail for the cause, which is not emulated
    const known = /^cloudtrail LookupEvents - 400 UnsupportedService$/;
    expect(calls.filter((call) => !known.test(call))).toEqual([]);
  });
});
