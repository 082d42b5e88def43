/**
 * Functions' output in CloudWatch Logs, as Lambda writes it (each line, START/END/REPORT, a stream per execution
 * environment, the LoggingConfig group else `/aws/lambda/NAME`), read back with FilterLogEvents as `cdk watch`
 * does; and AWS::Logs::LogGroup deployed, updated and deleted by the stack engine.
 */
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { ManualClock } from '../../../lib/emulator/clock';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import { logGroupHandler } from '../../../lib/emulator/deploy/resources/logs';
import type { DeployContext, ExistingResource } from '../../../lib/emulator/deploy/resources/types';
import type { CfnTemplate } from '../../../lib/emulator/deploy/template';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, eventually, TEST_CREDENTIALS } from '../../helpers/emulator';
import { zipOf } from '../../helpers/zip';

const START = Date.parse('2026-11-30T10:00:00Z');
const STREAM = /^2026\/11\/30\/\[\$LATEST\][0-9a-f]{32}$/;

let emu: Emulator;
let logs: CloudWatchLogsClient;
let lambda: LambdaClient;
beforeEach(async () => {
  emu = await startEmulator({ port: 0, clock: new ManualClock(START), onFunctionLog: () => {} });
  const client = {
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  logs = new CloudWatchLogsClient(client);
  lambda = new LambdaClient(client);
});
afterEach(async () => {
  logs.destroy();
  lambda.destroy();
  await emu.stop();
});

/** A function whose code is inline (ZipFile), with the template's LoggingConfig if given. */
function functionResource(source: string, loggingConfig?: unknown) {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/fn',
      Code: { ZipFile: source },
      ...(loggingConfig !== undefined ? { LoggingConfig: loggingConfig } : {}),
    },
  };
}

/** Every event of a group once `count` have arrived (a worker's output crosses a thread). */
async function eventsOf(group: string, count: number) {
  return eventually(async () => {
    const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
    return events.length >= count ? events : undefined;
  });
}

test("a template's log group takes its function's output: lines, START, END and REPORT, one stream", async () => {
  // Prepare
  const template: CfnTemplate = {
    Resources: {
      Logs: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 7, Tags: [{ Key: 'project', Value: 'decoupled' }] },
      },
      Fn: functionResource(
        `exports.handler = async (event) => {
  console.log('order %s', event.id);
  console.warn('careful');
  process.stdout.write(JSON.stringify({ level: 'INFO', order: event.id }) + '\\n');
  return 'ok';
};`,
        { LogGroup: { Ref: 'Logs' } },
      ),
    },
    Outputs: {
      Group: { Value: { Ref: 'Logs' } },
      GroupArn: { Value: { 'Fn::GetAtt': ['Logs', 'Arn'] } },
      Function: { Value: { Ref: 'Fn' } },
    },
  };
  const deployment = await deployStacks(emu, [
    { id: 'Orders', stackName: 'orders', template, dependsOn: [], assets: new Map() },
  ]);
  const group = deployment.output('Orders', 'Group');
  const fn = deployment.output('Orders', 'Function');
  // Act
  const invoked = await lambda.send(
    new InvokeCommand({ FunctionName: fn, Payload: JSON.stringify({ id: 'o-1' }) }),
  );
  const events = await eventsOf(group, 6);
  const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
  const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
  const tags = await logs.send(
    new ListTagsForResourceCommand({
      resourceArn: deployment.output('Orders', 'GroupArn').replace(/:\*$/, ''),
    }),
  );
  const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
  // Assess
  const requestId = invoked.$metadata.requestId as string;
  expect(group).toMatch(/^orders-Logs-/);
  expect(deployment.output('Orders', 'GroupArn')).toBe(
    `arn:aws:logs:us-east-1:000000000000:log-group:${group}:*`,
  );
  expect(configuration.LoggingConfig).toEqual({ LogFormat: 'Text', LogGroup: group });
  expect(described.logGroups?.[0].retentionInDays).toBe(7);
  expect(tags.tags).toEqual({ project: 'decoupled' });
  expect(events.map((e) => e.message)).toEqual([
    `START RequestId: ${requestId} Version: $LATEST\n`,
    `2026-11-30T10:00:00.000Z\t${requestId}\tINFO\torder o-1\n`,
    `2026-11-30T10:00:00.000Z\t${requestId}\tWARN\tcareful\n`,
    // AWS: a raw write (what Powertools' logger does) has no prefix, so JSON filter patterns match it
    '{"level":"INFO","order":"o-1"}\n',
    `END RequestId: ${requestId}\n`,
    expect.stringMatching(
      new RegExp(
        `^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\t\\n$`,
      ),
    ),
  ]);
  expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual([expect.stringMatching(STREAM)]);
  expect(new Set(events.map((e) => e.logStreamName))).toEqual(
    new Set([streams.logStreams?.[0].logStreamName]),
  );
});

test('without LoggingConfig the output goes to /aws/lambda/NAME, made on the first line; errors are logged', async () => {
  // Prepare
  const template: CfnTemplate = {
    Resources: {
      Fn: functionResource(
        `exports.handler = async () => { throw new TypeError('order o-2 is malformed'); };`,
      ),
    },
    Outputs: { Function: { Value: { Ref: 'Fn' } } },
  };
  const deployment = await deployStacks(emu, [
    { id: 'Orders', stackName: 'orders', template, dependsOn: [], assets: new Map() },
  ]);
  const fn = deployment.output('Orders', 'Function');
  const before = await awsErrorOf(
    logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` })),
  );
  // Act
  await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: '{}' }));
  const events = await eventsOf(`/aws/lambda/${fn}`, 4);
  const errors = await logs.send(
    new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: '"Invoke Error"' }),
  );
  // Assess
  expect(before.name).toBe('ResourceNotFoundException');
  expect(events.map((e) => e.message?.split(' ')[0])).toEqual([
    'START',
    expect.stringMatching(/^2026-11-30T10:00:00.000Z\t/),
    'END',
    'REPORT',
  ]);
  expect(errors.events).toHaveLength(1);
  expect(errors.events?.[0].message).toContain(
    '"errorType":"TypeError","errorMessage":"order o-2 is malformed"',
  );
});

test("CreateFunction's and UpdateFunctionConfiguration's LoggingConfig choose the group; JSON format is refused", async () => {
  // Prepare
  const create = (name: string, loggingConfig: Record<string, string>) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/fn',
        Code: { ZipFile: zipOf({ 'index.js': "exports.handler = async () => { console.log('hi'); };" }) },
        LoggingConfig: loggingConfig,
      }),
    );
  await create('custom', { LogGroup: '/team/custom', LogFormat: 'Text' });
  // Act
  await lambda.send(new InvokeCommand({ FunctionName: 'custom' }));
  const custom = await eventsOf('/team/custom', 4);
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'custom', LoggingConfig: {} }));
  await lambda.send(new InvokeCommand({ FunctionName: 'custom' }));
  const fallback = await eventsOf('/aws/lambda/custom', 4);
  const json = await awsErrorOf(create('json', { LogFormat: 'JSON' }));
  const badGroup = await awsErrorOf(create('bad', { LogGroup: 'has space' }));
  // Assess
  expect(custom.map((e) => e.message)).toContainEqual(expect.stringMatching(/\tINFO\thi\n$/));
  expect(fallback).toHaveLength(4);
  expect(json).toMatchObject({
    name: 'InvalidParameterValueException',
    message: 'LoggingConfig.LogFormat JSON is not supported by the local emulator (Text only).',
  });
  expect(badGroup.message).toContain("at 'loggingConfig.logGroup' failed to satisfy constraint");
});

describe('the LogGroup handler life cycle', () => {
  const context = () => ({ emulator: emu, physicalName: () => 'generated' }) as unknown as DeployContext;
  const request = (properties: Record<string, unknown>) => ({
    stackName: 's',
    logicalId: 'Logs',
    type: 'AWS::Logs::LogGroup',
    properties,
  });

  test('an update changes retention and tags in place, keeping the events; delete removes it', async () => {
    // Prepare
    const first = request({
      LogGroupName: '/app/orders',
      RetentionInDays: 7,
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    const created = await logGroupHandler.create(first, context());
    emu.logs.ingest('/app/orders', 'manual', ['kept across the update']);
    const previous: ExistingResource = { ...first, ref: created.ref, attributes: {}, status: 'emulated' };
    // Act
    await logGroupHandler.update!(
      request({ LogGroupName: '/app/orders', Tags: [{ Key: 'b', Value: '3' }] }),
      previous,
      context(),
    );
    const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/orders' }));
    const tags = await logs.send(
      new ListTagsForResourceCommand({
        resourceArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/orders',
      }),
    );
    const kept = await logs.send(new FilterLogEventsCommand({ logGroupName: '/app/orders' }));
    await logGroupHandler.delete!(previous, context());
    await logGroupHandler.delete!(previous, context());
    const gone = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/orders' }));
    const refused = await Promise.resolve()
      .then(() => logGroupHandler.create(request({ DataProtectionPolicy: {} }), context()))
      .catch((error: Error) => error.message);
    // Assess
    expect(created.attributes).toEqual({
      Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/orders:*',
    });
    expect(described.logGroups?.[0].retentionInDays).toBeUndefined();
    expect(tags.tags).toEqual({ b: '3' });
    expect(kept.events?.map((e) => e.message)).toEqual(['kept across the update']);
    expect(logGroupHandler.replacedBy).toEqual(['LogGroupName', 'LogGroupClass']);
    expect(gone.logGroups).toEqual([]);
    expect(refused).toBe(
      'Properties validation failed for resource Logs: DataProtectionPolicy is not supported by the local emulator',
    );
  });
});
