/**
 * CloudWatch Logs through the SDK over HTTP: groups (prefix, pattern, pages, retention, tags), streams (order,
 * pages), PutLogEvents' batch rules, GetLogEvents' tokens and FilterLogEvents' windows, pages and patterns.
 */
import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  StartQueryCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { MAX_EVENTS_PER_GROUP } from '../../../lib/emulator/logs/service';
import { awsErrorOf, TEST_CREDENTIALS } from '../../helpers/emulator';

const START = Date.parse('2026-11-30T10:00:00Z');
const MINUTE = 60_000;

let emu: Emulator;
let clock: ManualClock;
let logs: CloudWatchLogsClient;
beforeEach(async () => {
  clock = new ManualClock(START);
  emu = await startEmulator({ port: 0, clock, onRequestLog: () => {} });
  logs = new CloudWatchLogsClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  logs.destroy();
  await emu.stop();
});

async function groupWithStream(group: string, stream: string): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

async function put(group: string, stream: string, events: [number, string][]): Promise<void> {
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: events.map(([timestamp, message]) => ({ timestamp, message })),
    }),
  );
}

describe('log groups', () => {
  test('create, describe by prefix and pattern in pages, retention, delete', async () => {
    // Prepare
    for (const name of ['/app/orders', '/app/payments', '/aws/lambda/Orders', 'other']) {
      await logs.send(
        new CreateLogGroupCommand({ logGroupName: name, kmsKeyId: name === 'other' ? 'k-1' : undefined }),
      );
    }
    // Act
    const byPrefix = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 1 }));
    const second = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 1, nextToken: byPrefix.nextToken }),
    );
    const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'ORDERS' }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'other', retentionInDays: 7 }));
    const retained = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'other' }));
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'other' }));
    const forever = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'other' }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: 'other' }));
    const all = await logs.send(new DescribeLogGroupsCommand({}));
    // Assess
    expect(byPrefix.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/orders']);
    expect(second.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/payments']);
    expect(second.nextToken).toBeUndefined();
    expect(byPattern.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/orders', '/aws/lambda/Orders']);
    expect(byPrefix.logGroups?.[0]).toEqual({
      logGroupName: '/app/orders',
      creationTime: START,
      metricFilterCount: 0,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/orders:*',
      logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/orders',
      storedBytes: 0,
      logGroupClass: 'STANDARD',
      deletionProtectionEnabled: false,
    });
    expect(retained.logGroups?.[0]).toMatchObject({ retentionInDays: 7, kmsKeyId: 'k-1' });
    expect(forever.logGroups?.[0].retentionInDays).toBeUndefined();
    expect(all.logGroups?.map((g) => g.logGroupName)).toEqual([
      '/app/orders',
      '/app/payments',
      '/aws/lambda/Orders',
    ]);
  });

  test("AWS's errors: duplicate, missing, bad names, bad retention, prefix with pattern, unknown token", async () => {
    // Prepare
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    // Act
    const duplicate = await awsErrorOf(logs.send(new CreateLogGroupCommand({ logGroupName: 'g' })));
    const missing = await awsErrorOf(logs.send(new DeleteLogGroupCommand({ logGroupName: 'nope' })));
    const badName = await awsErrorOf(logs.send(new CreateLogGroupCommand({ logGroupName: 'has space' })));
    const tooLong = await awsErrorOf(logs.send(new CreateLogGroupCommand({ logGroupName: 'a'.repeat(513) })));
    const retention = await awsErrorOf(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 2 })),
    );
    const both = await awsErrorOf(
      logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'a', logGroupNamePattern: 'b' })),
    );
    const token = await awsErrorOf(logs.send(new DescribeLogGroupsCommand({ nextToken: 'forged' })));
    const linked = await awsErrorOf(logs.send(new DescribeLogGroupsCommand({ includeLinkedAccounts: true })));
    const insights = await awsErrorOf(
      logs.send(
        new StartQueryCommand({
          logGroupName: 'g',
          queryString: 'fields @message',
          startTime: 0,
          endTime: 1,
        }),
      ),
    );
    // Assess
    expect(duplicate).toMatchObject({
      name: 'ResourceAlreadyExistsException',
      status: 400,
      message: 'The specified log group already exists',
    });
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 400,
      message: 'The specified log group does not exist.',
    });
    expect(badName).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(badName.message).toContain("Value 'has space' at 'logGroupName' failed to satisfy constraint");
    expect(tooLong.message).toBe(
      'Invalid LogGroup or LogStream, both must have length less than or equal to 512.',
    );
    expect(retention.message).toContain('Member must satisfy enum value set: [1, 3, 5, 7, 14,');
    expect(both.message).toBe(
      'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
    );
    expect(token).toMatchObject({
      name: 'InvalidParameterException',
      message: 'The specified nextToken is invalid.',
    });
    expect(linked).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(linked.message).toContain('includeLinkedAccounts');
    expect(insights.status).toBe(400);
    expect(insights.message).toBe(
      'The local emulator does not implement the CloudWatch Logs operation StartQuery.',
    );
  });

  test('tags by ARN and by name; 50 at most; aws: keys reserved; KMS key association', async () => {
    // Prepare
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'g', tags: { team: 'orders' } }));
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:g';
    // Act
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { stage: 'dev', cost: 'x' } }));
    await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['cost'] }));
    const byArn = await logs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}:*` }));
    const byName = await logs.send(new ListTagsLogGroupCommand({ logGroupName: 'g' }));
    const tooMany = await awsErrorOf(
      logs.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])),
        }),
      ),
    );
    const reserved = await awsErrorOf(
      logs.send(new TagResourceCommand({ resourceArn: arn, tags: { 'aws:x': 'y' } })),
    );
    const gone = await awsErrorOf(
      logs.send(
        new ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:000000000000:log-group:none' }),
      ),
    );
    await logs.send(
      new AssociateKmsKeyCommand({ logGroupName: 'g', kmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/k' }),
    );
    const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'g' }));
    // Assess
    expect(byArn.tags).toEqual({ team: 'orders', stage: 'dev' });
    expect(byName.tags).toEqual({ team: 'orders', stage: 'dev' });
    expect(tooMany).toMatchObject({
      name: 'TooManyTagsException',
      message: 'A resource can have no more than 50 tags.',
    });
    expect(reserved.name).toBe('InvalidParameterException');
    expect(gone.name).toBe('ResourceNotFoundException');
    expect(described.logGroups?.[0].kmsKeyId).toBe('arn:aws:kms:us-east-1:000000000000:key/k');
  });
});

describe('log streams', () => {
  test('create, describe by name or last event time, descending, in pages; delete', async () => {
    // Prepare
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    for (const name of ['b', 'a', 'c']) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: name }));
    }
    await put('g', 'c', [[START - 3 * MINUTE, 'old']]);
    await put('g', 'a', [[START - MINUTE, 'new']]);
    // Act
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g', limit: 2 }));
    const rest = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: 'g', limit: 2, nextToken: byName.nextToken }),
    );
    const byTime = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: 'g', orderBy: 'LastEventTime', descending: true }),
    );
    const prefixed = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:g',
        logStreamNamePrefix: 'c',
      }),
    );
    const conflict = await awsErrorOf(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: 'g',
          orderBy: 'LastEventTime',
          logStreamNamePrefix: 'a',
        }),
      ),
    );
    const duplicate = await awsErrorOf(
      logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'a' })),
    );
    const badName = await awsErrorOf(
      logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'a:b' })),
    );
    await logs.send(new DeleteLogStreamCommand({ logGroupName: 'g', logStreamName: 'a' }));
    const missing = await awsErrorOf(
      logs.send(new DeleteLogStreamCommand({ logGroupName: 'g', logStreamName: 'a' })),
    );
    // Assess
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'b']);
    expect(rest.logStreams?.map((s) => s.logStreamName)).toEqual(['c']);
    expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'c', 'b']);
    expect(prefixed.logStreams).toEqual([
      {
        logStreamName: 'c',
        creationTime: START,
        firstEventTimestamp: START - 3 * MINUTE,
        lastEventTimestamp: START - 3 * MINUTE,
        lastIngestionTime: START,
        arn: 'arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:c',
        storedBytes: 0,
      },
    ]);
    expect(conflict.message).toBe('Cannot order by LastEventTime with a logStreamNamePrefix.');
    expect(duplicate).toMatchObject({
      name: 'ResourceAlreadyExistsException',
      message: 'The specified log stream already exists',
    });
    expect(badName.name).toBe('InvalidParameterException');
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log stream does not exist.',
    });
  });
});

describe('PutLogEvents', () => {
  test('too new, too old and expired events are rejected by index; the others are kept', async () => {
    // Prepare
    await groupWithStream('g', 's');
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 1 }));
    // Act
    const answer = await logs.send(
      new PutLogEventsCommand({
        logGroupName: 'g',
        logStreamName: 's',
        logEvents: [
          { timestamp: START - 15 * 24 * 60 * MINUTE, message: 'older than 14 days' },
          { timestamp: START - 2 * 24 * 60 * MINUTE, message: 'before the retention' },
          { timestamp: START - MINUTE, message: 'kept' },
          { timestamp: START + 3 * 60 * MINUTE, message: 'three hours ahead' },
        ],
      }),
    );
    const stored = await logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's' }));
    // Assess
    expect(answer.nextSequenceToken).toMatch(/^\d{56}$/);
    expect(answer.rejectedLogEventsInfo).toEqual({
      tooOldLogEventEndIndex: 0,
      expiredLogEventEndIndex: 1,
      tooNewLogEventStartIndex: 3,
    });
    expect(stored.events?.map((e) => e.message)).toEqual(['kept']);
  });

  test("AWS's batch rules: chronological order, 24 hours, 1 MB with 26 bytes per event, 10,000 events", async () => {
    // Prepare
    await groupWithStream('g', 's');
    const call = (events: [number, string][]) => awsErrorOf(put('g', 's', events));
    // Act
    const order = await call([
      [START, 'b'],
      [START - 1, 'a'],
    ]);
    const span = await call([
      [START - 25 * 60 * MINUTE, 'a'],
      [START, 'b'],
    ]);
    // 1,048,576 - 26 bytes of message fit exactly; one more byte does not
    await put('g', 's', [[START, 'x'.repeat(1_048_576 - 26)]]);
    const size = await call([[START, 'x'.repeat(1_048_576 - 25)]]);
    const count = await call(Array.from({ length: 10_001 }, (): [number, string] => [START, 'x']));
    const empty = await call([]);
    const noStream = await awsErrorOf(put('g', 'none', [[START, 'x']]));
    // Assess
    expect(order).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Log events in a single PutLogEvents request must be in chronological order.',
    });
    expect(span.message).toBe(
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    );
    expect(size.message).toBe('Upload too large: 1048577 bytes exceeds limit of 1048576');
    expect(count.message).toContain('Member must have length less than or equal to 10000');
    expect(empty.message).toContain('Member must have length greater than or equal to 1');
    expect(noStream.message).toBe('The specified log stream does not exist.');
  });

  test('a group keeps its latest events; retention expires events as the clock moves', async () => {
    // Prepare
    await groupWithStream('g', 's');
    const batch = (from: number, n: number): [number, string][] =>
      Array.from({ length: n }, (_, i): [number, string] => [START + i, `e${from + i}`]);
    await put('g', 's', batch(0, MAX_EVENTS_PER_GROUP));
    await put('g', 's', [[START + MAX_EVENTS_PER_GROUP, 'newest']]);
    // Act
    const head = await logs.send(
      new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', startFromHead: true, limit: 1 }),
    );
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 1 }));
    clock.advance(24 * 60 * MINUTE + MAX_EVENTS_PER_GROUP + 1);
    const after = await logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's' }));
    // Assess
    expect(head.events?.map((e) => e.message)).toEqual(['e1']);
    expect(after.events).toEqual([]);
  });
});

test('a group keeps at most 32 MiB of messages: the oldest go first', () => {
  // Prepare: in process, 33 batches of one 1 MB event
  emu.logs.createLogGroup({ logGroupName: 'big' });
  emu.logs.createLogStream({ logGroupName: 'big', logStreamName: 's' });
  const message = (i: number) => `${String(i).padStart(4, '0')}${'x'.repeat(1_048_576 - 26 - 4)}`;
  // Act
  for (let i = 0; i < 33; i++) {
    emu.logs.putLogEvents({
      logGroupName: 'big',
      logStreamName: 's',
      logEvents: [{ timestamp: START + i, message: message(i) }],
    });
  }
  const [described] = emu.logs.describeLogGroups({ logGroupNamePrefix: 'big' }).logGroups ?? [];
  const first = emu.logs.getLogEvents({
    logGroupName: 'big',
    logStreamName: 's',
    startFromHead: true,
    limit: 1,
  });
  // Assess
  expect(described.storedBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
  expect(described.storedBytes).toBeGreaterThan(31 * 1024 * 1024);
  expect(first.events?.[0].message?.slice(0, 4)).toBe('0001');
});

describe('GetLogEvents', () => {
  test('from the tail by default, from the head on request, and on by forward and backward tokens', async () => {
    // Prepare
    await groupWithStream('g', 's');
    await put('g', 's', [
      [START - 5, 'one'],
      [START - 4, 'two'],
      [START - 3, 'three'],
    ]);
    const get = (input: { nextToken?: string; startFromHead?: boolean; limit?: number }) =>
      logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', ...input }));
    // Act
    const tail = await get({ limit: 2 });
    const earlier = await get({ limit: 2, nextToken: tail.nextBackwardToken });
    const head = await get({ startFromHead: true, limit: 2 });
    const next = await get({ nextToken: head.nextForwardToken });
    const end = await get({ nextToken: next.nextForwardToken });
    await put('g', 's', [[START, 'four']]);
    const arrived = await get({ nextToken: end.nextForwardToken });
    const window = await logs.send(
      new GetLogEventsCommand({
        logGroupName: 'g',
        logStreamName: 's',
        startTime: START - 4,
        endTime: START - 3,
      }),
    );
    const forged = await awsErrorOf(get({ nextToken: 'f/123' }));
    // Assess
    expect(tail.events?.map((e) => e.message)).toEqual(['two', 'three']);
    expect(earlier.events?.map((e) => e.message)).toEqual(['one']);
    expect(head.events?.map((e) => e.message)).toEqual(['one', 'two']);
    expect(next.events?.map((e) => e.message)).toEqual(['three']);
    // AWS: at the end the same forward token comes back
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(next.nextForwardToken);
    expect(arrived.events?.map((e) => e.message)).toEqual(['four']);
    expect(window.events?.map((e) => e.message)).toEqual(['two']);
    expect(head.events?.[0]).toEqual({ timestamp: START - 5, message: 'one', ingestionTime: START });
    expect(forged.message).toBe('The specified nextToken is invalid.');
  });
});

describe('FilterLogEvents', () => {
  beforeEach(async () => {
    await groupWithStream('g', 'web-1');
    await logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'worker-1' }));
    await put('g', 'web-1', [
      [START - 50, 'ERROR order o-1 failed'],
      [START - 30, 'INFO order o-2 accepted'],
      [START - 10, '{"level":"error","latency":730,"order":{"id":"o-3"}}'],
    ]);
    await put('g', 'worker-1', [
      [START - 40, 'WARN retrying o-1'],
      [START - 20, '{"level":"info","latency":12,"order":{"id":"o-4"}}'],
    ]);
  });

  const filter = (input: Omit<ConstructorParameters<typeof FilterLogEventsCommand>[0], 'logGroupName'>) =>
    logs.send(new FilterLogEventsCommand({ logGroupName: 'g', ...input }));
  const messages = (r: { events?: { message?: string }[] }) => r.events?.map((e) => e.message);

  test('every stream interleaved by time, with stream names and event ids; streams and windows narrow it', async () => {
    // Act
    const all = await filter({});
    const worker = await filter({ logStreamNames: ['worker-1'] });
    const web = await filter({ logStreamNamePrefix: 'web' });
    const window = await filter({ startTime: START - 40, endTime: START - 20 });
    // Assess
    expect(messages(all)).toEqual([
      'ERROR order o-1 failed',
      'WARN retrying o-1',
      'INFO order o-2 accepted',
      '{"level":"info","latency":12,"order":{"id":"o-4"}}',
      '{"level":"error","latency":730,"order":{"id":"o-3"}}',
    ]);
    expect(all.events?.[1]).toEqual({
      logStreamName: 'worker-1',
      timestamp: START - 40,
      message: 'WARN retrying o-1',
      ingestionTime: START,
      eventId: expect.stringMatching(/^\d{56}$/),
    });
    expect(messages(worker)).toHaveLength(2);
    expect(messages(web)).toHaveLength(3);
    // AWS: startTime and endTime both included
    expect(messages(window)).toEqual([
      'WARN retrying o-1',
      'INFO order o-2 accepted',
      '{"level":"info","latency":12,"order":{"id":"o-4"}}',
    ]);
  });

  test('pages by nextToken, and events that arrive later come on the next page', async () => {
    // Act
    const first = await filter({ limit: 2 });
    const second = await filter({ limit: 2, nextToken: first.nextToken });
    await put('g', 'worker-1', [[START - 5, 'arrived between pages']]);
    const third = await filter({ limit: 2, nextToken: second.nextToken });
    const forged = await awsErrorOf(filter({ nextToken: 'not-a-token' }));
    // Assess
    expect(messages(first)).toEqual(['ERROR order o-1 failed', 'WARN retrying o-1']);
    expect(messages(second)).toHaveLength(2);
    expect(messages(third)).toEqual([
      '{"level":"error","latency":730,"order":{"id":"o-3"}}',
      'arrived between pages',
    ]);
    expect(third.nextToken).toBeUndefined();
    expect(forged.message).toBe('The specified nextToken is invalid.');
  });

  test('filter patterns: terms, phrases, ?alternatives, -exclusions and JSON comparisons', async () => {
    // Act
    const cases = {
      terms: await filter({ filterPattern: 'order o-1' }),
      phrase: await filter({ filterPattern: '"order o-2 accepted"' }),
      alternatives: await filter({ filterPattern: '?ERROR ?WARN' }),
      exclusion: await filter({ filterPattern: 'o-1 -WARN' }),
      json: await filter({ filterPattern: '{ $.latency > 500 }' }),
      jsonAnd: await filter({ filterPattern: '{ ($.level = "info") && ($.order.id = "o-*") }' }),
      jsonOr: await filter({ filterPattern: '{ $.level != "info" || $.latency <= 12 }' }),
    };
    const regex = await awsErrorOf(filter({ filterPattern: '%ERROR|WARN%' }));
    const broken = await awsErrorOf(filter({ filterPattern: '{ $.latency > }' }));
    // Assess
    expect(messages(cases.terms)).toEqual(['ERROR order o-1 failed']);
    expect(messages(cases.phrase)).toEqual(['INFO order o-2 accepted']);
    expect(messages(cases.alternatives)).toEqual(['ERROR order o-1 failed', 'WARN retrying o-1']);
    expect(messages(cases.exclusion)).toEqual(['ERROR order o-1 failed']);
    expect(messages(cases.json)).toEqual(['{"level":"error","latency":730,"order":{"id":"o-3"}}']);
    expect(messages(cases.jsonAnd)).toEqual(['{"level":"info","latency":12,"order":{"id":"o-4"}}']);
    expect(messages(cases.jsonOr)).toHaveLength(2);
    expect(regex).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(regex.message).toContain(
      'Regular expression (%...%) filter patterns are not supported by the local emulator',
    );
    expect(broken.name).toBe('InvalidParameterException');
  });

  test('a group that does not exist is ResourceNotFoundException (cdk watch skips it)', async () => {
    // Act
    const missing = await awsErrorOf(
      logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/none' })),
    );
    // Assess
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 400,
      message: 'The specified log group does not exist.',
    });
  });
});
