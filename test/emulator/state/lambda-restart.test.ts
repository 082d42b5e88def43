/**
 * `--state-dir` with Lambda: functions created from a .zip come back with their configuration, code, versions,
 * aliases and resource policy, and run their code; event source mappings come back with their settings and their
 * pollers running again; event invoke configurations still route failures to their destination.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListVersionsByFunctionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { eventually } from '../../../lib/testing';
import { awsErrorOf, sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';
import { zipOf } from '../../helpers/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fn';
const ACCOUNT = '000000000000';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-lambda-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withEmulator<T>(
  act: (lambda: LambdaClient, sqs: SQSClient, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ port: 0, region: 'us-east-1', stateDirectory: dir });
  const lambda = new LambdaClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const sqs = sqsClientFor(emulator.endpoint);
  try {
    return await act(lambda, sqs, emulator);
  } finally {
    lambda.destroy();
    sqs.destroy();
    await emulator.stop();
  }
}

const greeter = (version: string) =>
  zipOf({ 'index.js': `exports.handler = async () => process.env.GREETING + ' ${version}';` });

async function invoke(lambda: LambdaClient, FunctionName: string, Qualifier?: string): Promise<unknown> {
  const { Payload, FunctionError } = await lambda.send(new InvokeCommand({ FunctionName, Qualifier }));
  return { payload: JSON.parse(Buffer.from(Payload ?? []).toString()), FunctionError };
}

/** What the control plane says about everything made below. */
async function describeAll(lambda: LambdaClient) {
  const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'greeter' }));
  const { $metadata: _latest, ...latest } = await lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: 'greeter' }),
  );
  const { $metadata: _alias, ...alias } = await lambda.send(
    new GetAliasCommand({ FunctionName: 'greeter', Name: 'live' }),
  );
  return {
    latest,
    versions: versions.Versions,
    alias,
    policy: (await lambda.send(new GetPolicyCommand({ FunctionName: 'greeter' }))).Policy,
    mappings: (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings,
  };
}

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps functions, versions, aliases, policies and mappings across a restart, %s', async (_l, snapshot) => {
  // Prepare: a function published at v1, its $LATEST updated to v2 and an alias on v1; a consumer of a queue
  // (one mapping enabled, one disabled); a function deleted again; a failing function with an onFailure queue
  const before = await withEmulator(async (lambda, sqs, emulator) => {
    const create = (FunctionName: string, ZipFile: Buffer, extra: object = {}) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName,
          Runtime: 'nodejs22.x',
          Role: ROLE,
          Handler: 'index.handler',
          Code: { ZipFile },
          ...extra,
        }),
      );
    await create('greeter', greeter('v1'), {
      Publish: true,
      Timeout: 7,
      Environment: { Variables: { GREETING: 'hello' } },
    });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'greeter', ZipFile: greeter('v2') }));
    await lambda.send(
      new CreateAliasCommand({ FunctionName: 'greeter', Name: 'live', FunctionVersion: '1' }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'greeter',
        StatementId: 's3-invoke',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
      }),
    );
    await create('consumer', zipOf({ 'index.js': 'exports.handler = async () => undefined;' }));
    await create('gone', greeter('v1'));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone' }));
    await create(
      'failing',
      zipOf({ 'index.js': 'exports.handler = async () => { throw new Error("boom"); };' }),
    );
    for (const QueueName of ['work', 'paused', 'failures']) {
      await sqs.send(new CreateQueueCommand({ QueueName }));
    }
    for (const [queue, Enabled] of [
      ['work', true],
      ['paused', false],
    ] as const) {
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'consumer',
          EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`,
          BatchSize: 5,
          Enabled,
        }),
      );
    }
    emulator.lambda.putFunctionEventInvokeConfig('failing', {
      maximumRetryAttempts: 0,
      onFailure: `arn:aws:sqs:us-east-1:${ACCOUNT}:failures`,
    });
    if (snapshot) await emulator.persistence?.rewrite();
    return describeAll(lambda);
  });
  // one kept .zip per distinct code still named: v1 and v2 of greeter, consumer, failing
  expect(readdirSync(path.join(dir, 'lambda-code'))).toHaveLength(4);

  // Act: restart on the same directory
  await withEmulator(async (lambda, sqs) => {
    // Assert: the same descriptions (revision ids, code hashes, times included)
    expect(await describeAll(lambda)).toEqual(before);
    expect(before.latest.Environment?.Variables).toEqual({ GREETING: 'hello' });
    expect(before.mappings?.map((m) => m.State).sort()).toEqual(['Disabled', 'Enabled']);
    // the code of each version runs
    expect(await invoke(lambda, 'greeter')).toEqual({ payload: 'hello v2', FunctionError: undefined });
    expect(await invoke(lambda, 'greeter', 'live')).toEqual({
      payload: 'hello v1',
      FunctionError: undefined,
    });
    expect(await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: 'gone' })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // the enabled mapping's pollers run again: a message sent now is consumed and deleted
    const work = (await sqs.send(new CreateQueueCommand({ QueueName: 'work' }))).QueueUrl as string;
    await sqs.send(new SendMessageCommand({ QueueUrl: work, MessageBody: 'job' }));
    await eventually(async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: work, AttributeNames: ['All'] }),
      );
      const left =
        Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
      return left === 0 ? true : undefined;
    });
    // the event invoke configuration still sends a failed event to its destination
    await lambda.send(new InvokeCommand({ FunctionName: 'failing', InvocationType: 'Event', Payload: '{}' }));
    const failures = (await sqs.send(new CreateQueueCommand({ QueueName: 'failures' }))).QueueUrl as string;
    const record = await eventually(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failures }));
      return Messages[0] ? JSON.parse(Messages[0].Body as string) : undefined;
    });
    expect(record.requestContext.condition).toBe('RetriesExhausted');
  });
});

it('deletes a kept .zip once no durable record names it', async () => {
  // Prepare: a function whose code is replaced
  await withEmulator(async (lambda, _sqs, emulator) => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'fn',
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: greeter('v1') },
        Environment: { Variables: { GREETING: 'hi' } },
      }),
    );
    expect(readdirSync(path.join(dir, 'lambda-code'))).toHaveLength(1);

    // Act: new code, then the function goes
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn', ZipFile: greeter('v2') }));
    const afterUpdate = readdirSync(path.join(dir, 'lambda-code'));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn' }));
    await emulator.persistence?.rewrite();

    // Assert: the replaced code's file went with the update, the last one with the function
    expect(afterUpdate).toHaveLength(1);
    expect(readdirSync(path.join(dir, 'lambda-code'))).toEqual([]);
  });
  await withEmulator(async (lambda) => {
    expect(await awsErrorOf(lambda.send(new InvokeCommand({ FunctionName: 'fn' })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
