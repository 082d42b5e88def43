import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ActivityEvent } from '../../../lib/emulator/activity';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, eventually, sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';

/** Writes a one-file function (CommonJS) into its own code directory. */
function writeFunction(root: string, name: string, source: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.js'), source);
  return dir;
}

const ECHO = `exports.handler = async (event, context) => {
  console.log('got ' + JSON.stringify(event));
  return { event, name: process.env.AWS_LAMBDA_FUNCTION_NAME, endpoint: process.env.AWS_ENDPOINT_URL, greeting: process.env.GREETING, requestId: context.awsRequestId };
};`;
const FAILING = `exports.handler = async () => { throw new TypeError('order o-2 is malformed'); };`;
/** Fails the records whose body says so; records every batch it saw in the module state. */
const BATCH = `const seen = [];
exports.handler = async (event) => {
  seen.push(event.Records.map((r) => r.body));
  return { batchItemFailures: event.Records.filter((r) => r.body.includes('fail')).map((r) => ({ itemIdentifier: r.messageId })) };
};`;

describe('the Lambda service, through the SDK', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'decoupled-lambda-'));
  let emu: Emulator;
  let clock: ManualClock;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let events: ActivityEvent[];
  let logs: string[];

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
    emu = await startEmulator({
      port: 0,
      clock,
      onFunctionLog: (l) => logs.push(`${l.functionName}: ${l.line}`),
    });
    lambda = new LambdaClient({
      endpoint: emu.endpoint,
      region: emu.region,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    sqs = sqsClientFor(emu.endpoint);
    events = [];
    logs = [];
    emu.activity.listen((e) => events.push(e));
  });
  afterEach(async () => {
    lambda.destroy();
    sqs.destroy();
    await emu.stop();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function createEcho(name = 'echo') {
    return emu.lambda.createFunction({
      functionName: name,
      codeDirectory: writeFunction(root, 'echo', ECHO),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      environment: { GREETING: 'hello' },
    });
  }

  test('Invoke (RequestResponse) runs the handler with its own environment and returns its result', async () => {
    // Prepare
    await createEcho();

    // Act
    const output = await lambda.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Payload: JSON.stringify({ orderId: 'o-1' }),
        LogType: 'Tail',
      }),
    );

    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    const result = JSON.parse(Buffer.from(output.Payload ?? []).toString());
    expect(result).toMatchObject({
      event: { orderId: 'o-1' },
      name: 'echo',
      endpoint: emu.endpoint,
      greeting: 'hello',
    });
    const log = Buffer.from(output.LogResult ?? '', 'base64').toString();
    expect(log).toContain(`START RequestId: ${result.requestId} Version: $LATEST`);
    expect(log).toContain('got {"orderId":"o-1"}');
    expect(log).toContain(`REPORT RequestId: ${result.requestId}`);
    expect(logs).toContain('echo: got {"orderId":"o-1"}');
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'function-invoked',
        functionName: 'echo',
        trigger: 'invoke',
        ok: true,
      }),
    );
  });

  test('a function error answers 200 with X-Amz-Function-Error and the error object', async () => {
    await emu.lambda.createFunction({
      functionName: 'failing',
      codeDirectory: writeFunction(root, 'failing', FAILING),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });

    const output = await lambda.send(new InvokeCommand({ FunctionName: 'failing' }));

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(output.Payload ?? []).toString())).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'order o-2 is malformed',
    });
  });

  test("an error's trace names Lambda's /var/task, never this machine's paths", async () => {
    // Prepare: one function that throws, one whose module cannot load
    await emu.lambda.createFunction({
      functionName: 'failing',
      codeDirectory: writeFunction(root, 'failing', FAILING),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });
    await emu.lambda.createFunction({
      functionName: 'broken',
      codeDirectory: writeFunction(root, 'broken', "require('./missing-module');"),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });
    // Act
    const thrown = await lambda.send(new InvokeCommand({ FunctionName: 'failing' }));
    const unloadable = await lambda.send(new InvokeCommand({ FunctionName: 'broken' }));
    // Assess
    const thrownText = Buffer.from(thrown.Payload ?? []).toString();
    const unloadableText = Buffer.from(unloadable.Payload ?? []).toString();
    expect(JSON.parse(thrownText).trace.join('\n')).toContain('/var/task/index.js');
    expect(JSON.parse(unloadableText).errorType).toBe('Runtime.ImportModuleError');
    expect(JSON.parse(unloadableText).errorMessage).toContain('/var/task/index.js');
    for (const text of [thrownText, unloadableText]) expect(text).not.toContain(root);
  });

  test('Event invocations answer 202 at once and record the outcome to the onSuccess destination', async () => {
    // Prepare
    await createEcho();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'records' }));
    emu.lambda.putFunctionEventInvokeConfig('echo', {
      onSuccess: `arn:aws:sqs:${emu.region}:000000000000:records`,
    });

    // Act
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"n":1}' }),
    );
    await emu.idle();

    // Assess
    expect(output.StatusCode).toBe(202);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const record = JSON.parse(received.Messages?.[0].Body ?? '{}');
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'Success', approximateInvokeCount: 1 },
      requestPayload: { n: 1 },
      responsePayload: { event: { n: 1 } },
    });
  });

  test('DryRun answers 204 without running the function', async () => {
    await createEcho();

    const output = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));

    expect(output.StatusCode).toBe(204);
    expect(logs).toEqual([]);
  });

  test('functions are found by name, ARN and partial ARN; GetFunction and ListFunctions describe them', async () => {
    await createEcho();
    const arn = `arn:aws:lambda:${emu.region}:000000000000:function:echo`;

    for (const name of ['echo', arn, `${arn}:$LATEST`, '000000000000:function:echo']) {
      const output = await lambda.send(new InvokeCommand({ FunctionName: name }));
      expect(output.StatusCode).toBe(200);
    }
    const described = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const listed = await lambda.send(new ListFunctionsCommand({}));

    expect(described.Configuration).toMatchObject({
      FunctionName: 'echo',
      FunctionArn: arn,
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 3,
      MemorySize: 128,
      Environment: { Variables: { GREETING: 'hello' } },
    });
    expect(listed.Functions?.map((f) => f.FunctionName)).toEqual(['echo']);
  });

  test('bad input gets the Lambda error codes', async () => {
    await createEcho();

    const missing = await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: 'nope' })));
    const version = await awsErrorOf(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '7' })),
    );
    const notJson = await awsErrorOf(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') })),
    );
    const tooLarge = await awsErrorOf(
      lambda.send(
        new InvokeCommand({
          FunctionName: 'echo',
          InvocationType: 'Event',
          Payload: JSON.stringify({ blob: 'x'.repeat(1024 * 1024) }),
        }),
      ),
    );

    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: arn:aws:lambda:${emu.region}:000000000000:function:nope`,
    });
    expect(version).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: arn:aws:lambda:${emu.region}:000000000000:function:echo:7`,
    });
    expect(notJson).toMatchObject({ name: 'InvalidRequestContentException', status: 400 });
    expect(notJson.message).toMatch(/^Could not parse request body into json/);
    expect(tooLarge).toMatchObject({
      name: 'RequestTooLargeException',
      status: 413,
      message: 'Request must be smaller than 1048576 bytes for the InvokeAsync operation',
    });
  });

  test('a function whose code cannot run here is refused when it is created', async () => {
    await expect(
      emu.lambda.createFunction({
        functionName: 'python',
        codeDirectory: root,
        handler: 'index.handler',
        runtime: 'python3.13',
      }),
    ).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: 'Function python: runtime python3.13 cannot run locally (Node.js runtimes only)',
    });
  });

  test('an SQS event source mapping with filter criteria invokes only for matching messages and deletes the rest', async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'quotes', Attributes: { VisibilityTimeout: '30' } }),
    );
    await emu.lambda.createFunction({
      functionName: 'batch',
      codeDirectory: writeFunction(root, 'batch', BATCH),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });
    emu.lambda.createEventSourceMapping({
      eventSourceArn: `arn:aws:sqs:${emu.region}:000000000000:quotes`,
      functionName: 'batch',
      batchSize: 10,
      functionResponseTypes: ['ReportBatchItemFailures'],
      filterPatterns: [JSON.stringify({ body: { type: ['car', 'boat'] } })],
    });

    // Act
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: '1', MessageBody: JSON.stringify({ type: 'car' }) },
          { Id: '2', MessageBody: JSON.stringify({ type: 'life' }) },
          { Id: '3', MessageBody: JSON.stringify({ type: 'boat', note: 'fail' }) },
          { Id: '4', MessageBody: 'not json' },
        ],
      }),
    );
    const batch = await eventually(() => events.find((e) => e.kind === 'function-invoked'), {
      timeoutMs: 10_000,
    });

    // Assess: one invocation with the two matching records; the boat failed and stays, in flight
    expect(batch).toMatchObject({
      functionName: 'batch',
      trigger: 'sqs',
      ok: true,
      records: 2,
      failedRecords: 1,
    });
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
  });

  test('a mapping to a missing function, or with a pattern that is not JSON, is refused', async () => {
    await createEcho();
    await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    const queueArn = `arn:aws:sqs:${emu.region}:000000000000:q`;

    expect(() =>
      emu.lambda.createEventSourceMapping({ eventSourceArn: queueArn, functionName: 'none' }),
    ).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
    expect(() =>
      emu.lambda.createEventSourceMapping({
        eventSourceArn: queueArn,
        functionName: 'echo',
        filterPatterns: ['{body'],
      }),
    ).toThrow(expect.objectContaining({ code: 'InvalidParameterValueException' }));
  });
});
