/**
 * The example test of docs/local-mode.md ("Testing your own app"), run as written: everything below the marker
 * line is the doc's code block, character for character (the first test checks it). Above the marker, the
 * suite's part: the app it synthesized stands for the user's `cdk.out`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { testAssembly, TEST_ASSEMBLY_TIMEOUT_MS } from '../../helpers/test-assembly';

const MARKER = '// ---- the example of docs/local-mode.md ----\n';

beforeAll(async () => {
  process.env.CDK_OUTDIR = await testAssembly();
}, TEST_ASSEMBLY_TIMEOUT_MS);

test('docs/local-mode.md shows this file, below the marker, as its example', () => {
  const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'local-mode.md'), 'utf8');
  const start = doc.indexOf('<!-- testing-example -->\n```ts\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const code = doc.slice(doc.indexOf('```ts\n', start) + 6, doc.indexOf('\n```\n', start) + 1);
  const own = readFileSync(__filename, 'utf8');
  expect(code).toBe(own.slice(own.indexOf(MARKER) + MARKER.length));
});

// ---- the example of docs/local-mode.md ----
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { advanceClock, eventually, type LocalMode, ManualClock, startLocalMode } from 'decoupled/testing';

let local: LocalMode;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startLocalMode({
    root: process.cwd(),
    // the cloud assembly `npx cdk synth` wrote
    assemblyDirectory: process.env.CDK_OUTDIR ?? 'cdk.out',
    port: 0, // a free port: test files run in parallel
    clock: new ManualClock(), // time moves only when the test moves it
    print: () => {}, // no live log in the test output
  });
  const { endpoint, region } = local.emulator;
  sqs = new SQSClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 120_000);

afterAll(async () => {
  sqs.destroy();
  await local.stop();
});

test('an order the consumer cannot process ends in the dead-letter queue', async () => {
  // Prepare
  const workQueue = local.deployment.output('Pipeline', 'WorkQueueUrl');
  const deadLetterQueue = local.deployment.output('Pipeline', 'DeadLetterQueueUrl');

  // Act: it fails, comes back after each visibility timeout (3 min), and moves after 3 receives
  const body = JSON.stringify({ orderId: 'o-99', items: 'none' });
  await sqs.send(new SendMessageCommand({ QueueUrl: workQueue, MessageBody: body }));
  await advanceClock(local.emulator, '10m');

  // Assess
  const messages = await eventually(async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueue }));
    return Messages;
  });
  expect(messages.map((m) => m.Body)).toEqual([body]);
});
