/** `--state-dir` with CloudWatch Logs: groups, streams and their events come back; new events follow them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-logs-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withEmulator<T>(
  clock: ManualClock,
  act: (logs: CloudWatchLogsClient, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory: dir });
  const logs = new CloudWatchLogsClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    return await act(logs, emulator);
  } finally {
    logs.destroy();
    await emulator.stop();
  }
}

const logGroupName = '/app/orders';

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps log groups, streams and events across a restart, %s', async (_label, snapshot) => {
  // Prepare: a group with retention and tags, two streams (one deleted again), events in two batches out of order
  const clock = new ManualClock(Date.parse('2026-11-21T09:00:00Z'));
  const now = clock.now();
  const before = await withEmulator(clock, async (logs, emulator) => {
    await logs.send(new CreateLogGroupCommand({ logGroupName, tags: { team: 'orders' } }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: 7 }));
    for (const logStreamName of ['a', 'b']) {
      await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    }
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: [
          { timestamp: now - 1000, message: 'second' },
          { timestamp: now, message: 'third' },
        ],
      }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: [{ timestamp: now - 5000, message: 'first' }],
      }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'b',
        logEvents: [{ timestamp: now, message: 'b' }],
      }),
    );
    await logs.send(new DeleteLogStreamCommand({ logGroupName, logStreamName: 'b' }));
    if (snapshot) await emulator.persistence?.rewrite();
    return {
      groups: (await logs.send(new DescribeLogGroupsCommand({}))).logGroups,
      streams: (await logs.send(new DescribeLogStreamsCommand({ logGroupName }))).logStreams,
      events: (await logs.send(new FilterLogEventsCommand({ logGroupName }))).events,
    };
  });
  expect(before.events?.map((e) => e.message)).toEqual(['first', 'second', 'third']);

  // Act: restart on the same directory, then one more event
  await withEmulator(clock, async (logs) => {
    // Assert: the same group, streams and events; a new event sorts after them with a larger id
    expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual(before.groups);
    expect((await logs.send(new DescribeLogStreamsCommand({ logGroupName }))).logStreams).toEqual(
      before.streams,
    );
    expect((await logs.send(new FilterLogEventsCommand({ logGroupName }))).events).toEqual(before.events);
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: [{ timestamp: now, message: 'fourth' }],
      }),
    );
    const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName }));
    expect(events.map((e) => e.message)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(events[3].eventId! > events[2].eventId!).toBe(true);
  });
});
