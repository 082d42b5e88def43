/**
 * `npm start -- --state-dir D` twice: the second start updates the stacks it deployed before in place (an update,
 * as `cdk deploy` would make), so a queue keeps its messages and a bucket its objects even when the app changed
 * since; functions and their event source mappings are kept too (a mapping is not created a second time).
 */
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
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AutoScalingClient, DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type LocalMode, startLocalMode } from '../../../lib/local/local-mode';
import { sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';
import { TEST_ASSEMBLY_TIMEOUT_MS, testAssembly } from '../../helpers/test-assembly';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'state-local-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The suite's assembly with one stack's template edited (assets linked, not copied). */
function editedAssembly(
  source: string,
  stackId: string,
  edit: (template: Record<string, any>) => void,
): string {
  const directory = path.join(work, 'assembly');
  mkdirSync(directory);
  for (const entry of readdirSync(source)) {
    const from = path.join(source, entry);
    if (entry.startsWith('asset.')) symlinkSync(from, path.join(directory, entry));
    else cpSync(from, path.join(directory, entry), { recursive: true });
  }
  const file = path.join(directory, `${stackId}.template.json`);
  const template = JSON.parse(readFileSync(file, 'utf8'));
  edit(template);
  writeFileSync(file, JSON.stringify(template, undefined, 1));
  return directory;
}

async function start(assemblyDirectory: string, stateDirectory: string): Promise<LocalMode> {
  return startLocalMode({
    root: path.join(__dirname, '..', '..', '..'),
    assemblyDirectory,
    port: 0,
    clock: new ManualClock(Date.parse('2026-11-21T09:00:00Z')),
    stateDirectory,
    print: () => undefined,
  });
}

it(
  'updates the kept stacks in place on a restart: messages and objects stay, a changed queue property applies',
  async () => {
    // Prepare: npm start on a state dir; a message in a queue nothing consumes, an object in the app's bucket
    const assembly = await testAssembly();
    const stateDirectory = path.join(work, 'state');
    let mode = await start(assembly, stateDirectory);
    let sqs = sqsClientFor(mode.emulator.endpoint);
    let s3 = new S3Client({
      endpoint: mode.emulator.endpoint,
      region: mode.emulator.region,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    const queueUrl = () => mode.deployment.output('QueueBasics', 'StandardQueueUrl');
    const bucket = mode.deployment.output('Pipeline', 'BucketName');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'kept across restarts' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'notes/kept.txt', Body: 'still here' }));
    const mappingsOf = async (endpoint: string) => {
      const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
      const { EventSourceMappings = [] } = await client.send(new ListEventSourceMappingsCommand({}));
      client.destroy();
      // the queues' mappings (a Kinesis stream is not kept yet: its stack creates it and its mapping again)
      return EventSourceMappings.filter((m) => m.EventSourceArn?.startsWith('arn:aws:sqs:'))
        .map((m) => m.UUID)
        .sort();
    };
    const mappings = await mappingsOf(mode.emulator.endpoint);
    expect(mappings.length).toBeGreaterThan(0);
    sqs.destroy();
    s3.destroy();
    await mode.stop();

    // Act: start again on the same directory with the queue's visibility timeout changed in the app
    const changed = editedAssembly(assembly, 'QueueBasics', (template) => {
      template.Resources.StandardQueueA15FB1C2.Properties.VisibilityTimeout = 45;
    });
    mode = await start(changed, stateDirectory);
    try {
      const { endpoint, region } = mode.emulator;
      sqs = sqsClientFor(endpoint);
      s3 = new S3Client({ endpoint, region, credentials: TEST_CREDENTIALS, forcePathStyle: true });
      const cloudformation = new CloudFormationClient({ endpoint, region, credentials: TEST_CREDENTIALS });
      const lambda = new LambdaClient({ endpoint, region, credentials: TEST_CREDENTIALS });

      // Assert: an update of the same stack; the property changed, the message and the object are there
      const { Stacks = [] } = await cloudformation.send(
        new DescribeStacksCommand({ StackName: 'decoupled-sandbox-queue-basics' }),
      );
      expect(Stacks[0]?.StackStatus).toBe('UPDATE_COMPLETE');
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl(), AttributeNames: ['VisibilityTimeout'] }),
      );
      expect(Attributes?.VisibilityTimeout).toBe('45');
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl() }));
      expect(Messages.map((m) => m.Body)).toEqual(['kept across restarts']);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'notes/kept.txt' }));
      expect(await object.Body?.transformToString()).toBe('still here');
      // the functions are there, and each event source mapping once, the same as before
      const producer = mode.deployment.output('Pipeline', 'ProducerFunctionName');
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: producer }));
      expect(fn.Configuration?.State).toBe('Active');
      expect(await mappingsOf(endpoint)).toEqual(mappings);
      // the kept alarms act on the scaling policies the update created again
      const cloudwatch = new CloudWatchClient({ endpoint, region, credentials: TEST_CREDENTIALS });
      const autoscaling = new AutoScalingClient({ endpoint, region, credentials: TEST_CREDENTIALS });
      const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({}));
      const { ScalingPolicies = [] } = await autoscaling.send(new DescribePoliciesCommand({}));
      const policyArns = new Set(ScalingPolicies.map((p) => p.PolicyARN));
      const scalingActions = MetricAlarms.flatMap((a) => [
        ...(a.AlarmActions ?? []),
        ...(a.OKActions ?? []),
      ]).filter((arn) => arn.startsWith('arn:aws:autoscaling:'));
      expect(scalingActions.length).toBeGreaterThan(0);
      for (const arn of scalingActions)
        expect({ arn, live: policyArns.has(arn) }).toEqual({ arn, live: true });
      cloudwatch.destroy();
      autoscaling.destroy();
      cloudformation.destroy();
      lambda.destroy();
    } finally {
      sqs.destroy();
      s3.destroy();
      await mode.stop();
    }
  },
  TEST_ASSEMBLY_TIMEOUT_MS,
);
