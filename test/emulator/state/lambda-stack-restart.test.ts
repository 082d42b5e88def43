/**
 * `--state-dir` with a stack's functions (`cdk deploy` to the bare emulator): Lambda restores the function and its
 * event source mapping, the restored stack keeps them, and its next update changes them in place, never making a
 * second mapping. A directory written before Lambda was kept (no Lambda records) still loads: the stack comes back
 * without them and its next update creates them again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, TEST_CREDENTIALS } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-lambda-stack-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const template = (greeting: string) =>
  JSON.stringify({
    Resources: {
      Jobs: { Type: 'AWS::SQS::Queue' },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'stack-greeter',
          Code: { ZipFile: 'exports.handler = async () => process.env.GREETING;' },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          Role: 'arn:aws:iam::000000000000:role/fn',
          Environment: { Variables: { GREETING: greeting } },
        },
      },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { EventSourceArn: { 'Fn::GetAtt': ['Jobs', 'Arn'] }, FunctionName: { Ref: 'Fn' } },
      },
    },
  });

interface Clients {
  readonly cfn: CloudFormationClient;
  readonly lambda: LambdaClient;
}

async function withEmulator<T>(act: (clients: Clients, emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ port: 0, region: 'us-east-1', stateDirectory: dir });
  const config = {
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  const clients = { cfn: new CloudFormationClient(config), lambda: new LambdaClient(config) };
  try {
    return await act(clients, emulator);
  } finally {
    clients.cfn.destroy();
    clients.lambda.destroy();
    await emulator.cloudformation.settled();
    await emulator.stop();
  }
}

async function greeting(lambda: LambdaClient): Promise<unknown> {
  const { Payload } = await lambda.send(new InvokeCommand({ FunctionName: 'stack-greeter' }));
  return JSON.parse(Buffer.from(Payload ?? []).toString());
}

async function mappings(lambda: LambdaClient): Promise<(string | undefined)[]> {
  const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
  return EventSourceMappings.map((m) => m.UUID);
}

/** UpdateStack to `greeting`; resolves with the stack's status once the update has ended. */
async function updateTo(
  { cfn }: Clients,
  emulator: Emulator,
  greetingText: string,
): Promise<string | undefined> {
  await cfn.send(new UpdateStackCommand({ StackName: 'greeter', TemplateBody: template(greetingText) }));
  await emulator.cloudformation.settled();
  const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: 'greeter' }));
  return Stacks[0]?.StackStatus;
}

it('keeps a stack’s function and mapping, and its next update changes them in place', async () => {
  // Prepare: the stack deployed
  const created = await withEmulator(async (clients, emulator) => {
    await clients.cfn.send(new CreateStackCommand({ StackName: 'greeter', TemplateBody: template('hello') }));
    await emulator.cloudformation.settled();
    return mappings(clients.lambda);
  });
  expect(created).toHaveLength(1);

  // Act: restart, then update the stack
  await withEmulator(async (clients, emulator) => {
    // Assert: the function runs and its mapping is the same one
    expect(await greeting(clients.lambda)).toBe('hello');
    expect(await mappings(clients.lambda)).toEqual(created);
    expect(await updateTo(clients, emulator, 'bonjour')).toBe('UPDATE_COMPLETE');
    expect(await greeting(clients.lambda)).toBe('bonjour');
    expect(await mappings(clients.lambda)).toEqual(created);
  });
});

it('loads a directory written before Lambda was kept: the stack’s next update creates the function again', async () => {
  // Prepare: the stack deployed, then its directory as an earlier version wrote it (no Lambda records)
  await withEmulator(async (clients, emulator) => {
    await clients.cfn.send(new CreateStackCommand({ StackName: 'greeter', TemplateBody: template('hello') }));
    await emulator.cloudformation.settled();
  });
  const journal = path.join(dir, 'journal-0.log');
  const lines = readFileSync(journal, 'utf8').split('\n');
  writeFileSync(journal, lines.filter((line) => !line.startsWith('{"svc":"lambda"')).join('\n'));
  rmSync(path.join(dir, 'lambda-code'), { recursive: true, force: true });

  // Act: restart, then update the stack
  await withEmulator(async (clients, emulator) => {
    expect(await awsErrorOf(greeting(clients.lambda))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await updateTo(clients, emulator, 'bonjour')).toBe('UPDATE_COMPLETE');

    // Assert: the update made the function and one mapping again
    expect(await greeting(clients.lambda)).toBe('bonjour');
    expect(await mappings(clients.lambda)).toHaveLength(1);
  });
});
