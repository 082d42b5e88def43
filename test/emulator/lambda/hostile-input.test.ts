/**
 * Hostile single requests to Lambda: each gets AWS's 4xx within a second (never a 500), and the emulator and
 * its functions keep working.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, eventually, sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';
import { type RawResponse, rawRequest, signedFor } from '../../helpers/raw-http';

const ECHO = 'exports.handler = async (event) => ({ event });';

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-lambda-hostile-'));
let emu: Emulator;
let clock: ManualClock;
let lambda: LambdaClient;
let sqs: SQSClient;
let invocations: number;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
  emu = await startEmulator({ port: 0, clock, onFunctionLog: () => undefined });
  lambda = new LambdaClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  sqs = sqsClientFor(emu.endpoint);
  invocations = 0;
  emu.activity.listen((e) => {
    if (e.kind === 'function-invoked') invocations++;
  });
  const dir = path.join(root, 'echo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.js'), ECHO);
  await emu.lambda.createFunction({
    functionName: 'echo',
    codeDirectory: dir,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
  });
});
afterEach(async () => {
  lambda.destroy();
  sqs.destroy();
  await emu.stop();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A request the SDK would not send: a path or a body of our own making. */
function raw(method: string, urlPath: string, body = ''): Promise<RawResponse> {
  return rawRequest(`${emu.endpoint}${urlPath}`, { method, headers: signedFor('lambda'), body });
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

const NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

describe('function names in the path', () => {
  test('a percent-encoding that does not decode is a ValidationException, not a 500', async () => {
    // Act
    const { value: response, ms } = await timed(raw('POST', '/2015-03-31/functions/%/invocations', '{}'));

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(JSON.parse(response.body)).toEqual({
      Type: 'User',
      message: `1 validation error detected: Value '%' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN}`,
    });
    expect(ms).toBeLessThan(1000);
    const after = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"ok":1}' }));
    expect(JSON.parse(Buffer.from(after.Payload as Uint8Array).toString())).toEqual({ event: { ok: 1 } });
  });

  test('a name that is not a function name, or is too long, is a ValidationException', async () => {
    // Act
    const spaced = await awsErrorOf(lambda.send(new GetFunctionCommand({ FunctionName: 'no such/name' })));
    const long = await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: 'f'.repeat(171) })));

    // Assess
    expect(spaced).toMatchObject({
      name: 'ValidationException',
      status: 400,
      message: `1 validation error detected: Value 'no such/name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN}`,
    });
    expect(long).toMatchObject({
      name: 'ValidationException',
      status: 400,
      message: `1 validation error detected: Value '${'f'.repeat(171)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 170`,
    });
  });

  test('a Qualifier outside its pattern is a ValidationException', async () => {
    // Act
    const error = await awsErrorOf(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'v 1' })),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value 'v 1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
    });
  });
});

describe('payloads', () => {
  test('a payload nested 200,000 levels deep is refused with a 4xx, not a 500 from a stack overflow', async () => {
    // Prepare
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);

    // Act
    const { value: response, ms } = await timed(raw('POST', '/2015-03-31/functions/echo/invocations', deep));

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(JSON.parse(response.body).message).toBe(
      'Could not parse request body into json: Could not parse payload into json: the payload nests arrays and objects deeper than 1000 levels',
    );
    expect(ms).toBeLessThan(1000);
    expect(invocations).toBe(0);
  });

  test('a payload 1,000 levels deep still reaches the function and comes back', async () => {
    // Prepare
    const deep = '['.repeat(999) + '"x"' + ']'.repeat(999);

    // Act
    const response = await raw('POST', '/2015-03-31/functions/echo/invocations', `{"a":${deep}}`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toBe(`{"event":{"a":${deep}}}`);
  });
});

describe('counts and sizes are checked against AWS limits before use', () => {
  test('ListFunctions takes MaxItems from 1 to 10,000 and pages by Marker', async () => {
    // Prepare
    await emu.lambda.createFunction({
      functionName: 'second',
      codeDirectory: path.join(root, 'echo'),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });

    // Act
    const zero = await raw('GET', '/2015-03-31/functions/?MaxItems=0');
    const huge = await raw('GET', '/2015-03-31/functions/?MaxItems=99999999999999999999');
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: first.NextMarker }));

    // Assess
    expect([zero.status, zero.headers['x-amzn-errortype']]).toEqual([400, 'ValidationException']);
    expect(JSON.parse(zero.body).message).toBe(
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect([huge.status, huge.headers['x-amzn-errortype']]).toEqual([400, 'ValidationException']);
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(['echo']);
    expect(second.Functions?.map((f) => f.FunctionName)).toEqual(['second']);
    expect(second.NextMarker).toBeUndefined();
  });

  test('an event source mapping with 10,000,000 pollers is refused before any poller starts', async () => {
    // Prepare
    await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    const eventSourceArn = `arn:aws:sqs:${emu.region}:000000000000:jobs`;

    // Act
    const started = performance.now();
    const act = () =>
      emu.lambda.createEventSourceMapping({
        eventSourceArn,
        functionName: 'echo',
        maximumConcurrency: 10_000_000,
      });

    // Assess
    expect(act).toThrow(
      expect.objectContaining({
        code: 'ValidationException',
        message:
          "1 validation error detected: Value '10000000' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value less than or equal to 1000",
      }),
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(emu.sqs.waitingReceivers()).toBe(0);
    expect(() =>
      emu.lambda.createEventSourceMapping({ eventSourceArn, functionName: 'echo', batchSize: 20 }),
    ).toThrow(
      expect.objectContaining({
        code: 'InvalidParameterValueException',
        message:
          'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      }),
    );
  });

  test("a function's timeout, memory and retries are checked against AWS's ranges", async () => {
    // Act
    const timeout = emu.lambda.createFunction({
      functionName: 'slow',
      codeDirectory: path.join(root, 'echo'),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      timeout: 10_000_000_000,
    });
    const memory = emu.lambda.createFunction({
      functionName: 'big',
      codeDirectory: path.join(root, 'echo'),
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      memorySize: 1_000_000,
    });
    const retries = () => emu.lambda.putFunctionEventInvokeConfig('echo', { maximumRetryAttempts: 3 });

    // Assess
    await expect(timeout).rejects.toMatchObject({
      code: 'ValidationException',
      message:
        "1 validation error detected: Value '10000000000' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    });
    await expect(memory).rejects.toMatchObject({ code: 'ValidationException' });
    expect(retries).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    expect(emu.lambda.listFunctions().map((f) => f.FunctionName)).toEqual(['echo']);
  });
});

test('an SQS message nested deeper than the stack is matched as a string by filter criteria, not retried forever', async () => {
  // Prepare
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: 'deep', Attributes: { VisibilityTimeout: '30' } }),
  );
  emu.lambda.createEventSourceMapping({
    eventSourceArn: `arn:aws:sqs:${emu.region}:000000000000:deep`,
    functionName: 'echo',
    filterPatterns: [JSON.stringify({ body: { type: ['car'] } })],
  });
  const body = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);

  // Act
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));

  // Assess: deleted without an invocation (the pattern needs a JSON object with type car)
  await eventually(
    async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const left =
        Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
      return left === 0 ? true : undefined;
    },
    { clock, stepMs: 10_000, timeoutMs: 5000 },
  );
  expect(invocations).toBe(0);
});
