/**
 * The state directory's rules: its format and version, refused when foreign, damaged or in use; a torn last journal
 * record (a crash mid-write, never acknowledged) dropped and cut off; what a crash mid-snapshot leaves ignored.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { parseEmulatorArgs } from '../../../lib/emulator/main';
import { StateDirectoryError } from '../../../lib/emulator/state/persistence';
import { sqsClientFor } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'state-dir-')), 'state');
});

afterEach(() => {
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

const start = (clock = new ManualClock()) => startEmulator({ port: 0, clock, stateDirectory: dir });

async function sendTo(emulator: Emulator, bodies: string[]): Promise<string> {
  const sqs = sqsClientFor(emulator.endpoint);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
  for (const MessageBody of bodies) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }));
  sqs.destroy();
  return QueueUrl as string;
}

async function visibleIn(emulator: Emulator): Promise<number> {
  const sqs = sqsClientFor(emulator.endpoint);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: `${emulator.endpoint}/000000000000/jobs`,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  sqs.destroy();
  return Number(Attributes?.ApproximateNumberOfMessages);
}

async function refusal(): Promise<StateDirectoryError> {
  const error = await start().then(
    async (emulator) => {
      await emulator.stop();
      throw new Error('expected the start to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateDirectoryError);
  return error as StateDirectoryError;
}

describe('a state directory', () => {
  it('is created with its format and version, and journals from the first change', async () => {
    // Act
    const emulator = await start();
    await sendTo(emulator, ['a']);
    await emulator.stop();

    // Assess
    expect(JSON.parse(readFileSync(path.join(dir, 'format.json'), 'utf8'))).toEqual({
      format: 'decoupled-state',
      version: 1,
    });
    const records = readFileSync(path.join(dir, 'journal-0.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => `${r.svc}/${r.kind}`)).toEqual(['emulator/clock', 'sqs/queue', 'sqs/message']);
    // released on stop: nothing left holding it
    expect(existsSync(path.join(dir, 'lock'))).toBe(false);
  });

  it('of another version is refused at start, naming the directory and what to do', async () => {
    // Prepare
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'format.json'), JSON.stringify({ format: 'decoupled-state', version: 2 }));

    // Act
    const error = await refusal();

    // Assess
    expect(error.message).toBe(
      `--state-dir ${dir}: holds state format version 2, this emulator reads version 1; use the decoupled ` +
        'version that wrote it, or give another --state-dir (deleting the directory starts afresh, losing its state)',
    );
  });

  it('that holds something else is refused, never written into', async () => {
    // Prepare
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');

    // Act
    const error = await refusal();

    // Assess
    expect(error.message).toMatch(/not a decoupled state directory \(it has files but no format\.json\)/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('that is a file is refused with the reason, never a crash', async () => {
    // Prepare
    mkdirSync(path.dirname(dir), { recursive: true });
    writeFileSync(dir, 'not a directory');

    // Act
    const error = await refusal();

    // Assess
    expect(error.message).toMatch(`--state-dir ${dir}: cannot use it (ENOTDIR: not a directory`);
  });

  it('with a damaged record before the end is refused: it is not a torn write', async () => {
    // Prepare
    const emulator = await start();
    await sendTo(emulator, ['a', 'b']);
    await emulator.stop();
    const journal = path.join(dir, 'journal-0.log');
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = '{"svc":"sqs", oops';
    writeFileSync(journal, lines.join('\n'));

    // Act
    const error = await refusal();

    // Assess
    expect(error.message).toBe(
      `--state-dir ${dir}: journal-0.log line 2 is not a state record; the directory is damaged`,
    );
  });

  it('is used by one emulator at a time', async () => {
    // Prepare
    const first = await start();

    // Act
    const error = await refusal();
    await first.stop();

    // Assess
    expect(error.message).toBe(`--state-dir ${dir}: already in use by an emulator in this process`);
  });

  it('drops a torn last record (never acknowledged) and cuts it off, so later appends stay readable', async () => {
    // Prepare: two messages, then half a record as a kill -9 mid-write leaves it
    const clock = new ManualClock();
    let emulator = await start(clock);
    await sendTo(emulator, ['a', 'b']);
    await emulator.stop();
    appendFileSync(path.join(dir, 'journal-0.log'), '{"svc":"sqs","kind":"message","key":[1,3],"val');

    // Act
    emulator = await start(clock);
    const dropped = emulator.persistence?.droppedBytes;
    await sendTo(emulator, ['c']);
    await emulator.stop();
    emulator = await start(clock);

    // Assess
    expect(dropped).toBe(46);
    expect(emulator.persistence?.droppedBytes).toBe(0);
    expect(await visibleIn(emulator)).toBe(3);
    await emulator.stop();
  });

  it('ignores what a crash in the middle of a snapshot leaves, and restores from the last complete one', async () => {
    // Prepare: a snapshot (generation 1), then a half-written next one
    const clock = new ManualClock();
    let emulator = await start(clock);
    await sendTo(emulator, ['a']);
    await emulator.persistence?.rewrite();
    await sendTo(emulator, ['b']);
    await emulator.stop();
    writeFileSync(
      path.join(dir, 'snapshot-2.jsonl.tmp'),
      '{"svc":"sqs","kind":"queue","key":[1],"value":{"na',
    );

    // Act
    emulator = await start(clock);

    // Assess
    expect(await visibleIn(emulator)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['format.json', 'journal-1.log', 'lock', 'snapshot-1.jsonl']);
    await emulator.stop();
  });
});

describe('--state-dir', () => {
  it('is read by the emulator command; an empty value is refused', () => {
    expect(parseEmulatorArgs(['--state-dir', '.state']).stateDirectory).toBe('.state');
    expect(parseEmulatorArgs([]).stateDirectory).toBeUndefined();
    expect(() => parseEmulatorArgs(['--state-dir='])).toThrow('--state-dir needs a value');
    expect(() => parseEmulatorArgs(['--state-dir', ' '])).toThrow('--state-dir needs a directory');
  });
});
