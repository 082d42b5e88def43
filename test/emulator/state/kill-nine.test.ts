/**
 * The promise of `--state-dir`: `kill -9` at any moment loses no request that was answered with success. A child
 * process runs the bare emulator (`decoupled emulator --port 0 --state-dir D`, bundled once so that each start is
 * quick); each round sends and receives through the SDK, kills the child while a burst of sends is in flight, starts
 * it again on the same directory, and checks every acknowledged message with the receive count its acknowledged
 * receives gave it.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';
import { emulatorChild } from '../../helpers/emulator-child';

const ROUNDS = 3;
/** Sent and received one by one before the burst: their receive counts are exact. */
const STEADY = 8;
const BURST = 100;

const emulator = emulatorChild('state-kill-');

/** Every message of the queue, hidden for 12 hours as it is read (each read is one more receive). */
async function receiveAll(sqs: SQSClient, QueueUrl: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 43_200,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    if (Messages.length === 0) return found;
    for (const m of Messages) found.set(m.Body as string, Number(m.Attributes?.ApproximateReceiveCount));
  }
}

it('loses no acknowledged send or receive when killed -9 mid-burst, round after round', async () => {
  const stateDir = path.join(emulator.work(), 'state');
  /** Per round's queue: acknowledged messages (by body) and the receive count each must have. */
  const expected: Map<string, number>[] = [];
  const attempted: Set<string>[] = [];
  let endpoint = await emulator.start(stateDir);
  for (let round = 0; round <= ROUNDS; round++) {
    const sqs = sqsClientFor(endpoint);
    const urlOf = (r: number) => `${endpoint}/000000000000/round-${r}`;

    // Assess what the previous round acknowledged: every message, with its count (reading adds one receive)
    if (round > 0) {
      const found = await receiveAll(sqs, urlOf(round - 1));
      for (const [body, count] of expected[round - 1]) {
        expect({ body, count: found.get(body) }).toEqual({ body, count: count + 1 });
      }
      for (const body of found.keys()) expect(attempted[round - 1].has(body)).toBe(true);
      // and the rounds before it are still all there, hidden by their own reading
      for (let earlier = 0; earlier < round - 1; earlier++) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: urlOf(earlier), AttributeNames: ['All'] }),
        );
        expect(Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBeGreaterThanOrEqual(
          expected[earlier].size,
        );
      }
    }
    if (round === ROUNDS) {
      sqs.destroy();
      break;
    }

    // Prepare: a queue per round, messages sent and received one at a time (receives leave them visible)
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `round-${round}` }));
    const counts = new Map<string, number>();
    const tried = new Set<string>();
    expected.push(counts);
    attempted.push(tried);
    for (let i = 0; i < STEADY; i++) {
      const body = `r${round}-steady-${i}`;
      tried.add(body);
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      counts.set(body, 0);
    }
    for (let i = 0; i < 1 + (round % 3); i++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5, VisibilityTimeout: 0 }),
      );
      for (const m of Messages) counts.set(m.Body as string, (counts.get(m.Body as string) ?? 0) + 1);
    }

    // Act: a burst of concurrent sends, and kill -9 somewhere in it: at a random answer (a random delay would
    // land anywhere from before the first answer to after the last on a loaded machine)
    const killAfter = 5 + Math.floor(Math.random() * 40);
    let answered = 0;
    let killed!: Promise<void>;
    const burst = Array.from({ length: BURST }, (_, i) => {
      const body = `r${round}-burst-${i}`;
      tried.add(body);
      return sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body })).then(
        () => {
          counts.set(body, 0);
          if (++answered === killAfter) killed = emulator.kill();
        },
        () => undefined,
      );
    });
    await Promise.all(burst);
    await killed;
    // the kill landed in the burst: answers already on their way are read, the rest are simply not promised
    expect(answered).toBeLessThan(BURST);
    await Promise.all(burst);
    sqs.destroy();
    endpoint = await emulator.start(stateDir);
  }
  await emulator.kill();
}, 120_000);

it('loses no acknowledged PutObject, small or with a body file, when killed -9 mid-burst', async () => {
  // Prepare: a bucket; bodies alternate between kept in the record (small) and files (8 KiB to 1.2 MiB)
  const stateDir = path.join(emulator.work(), 'state-s3');
  let endpoint = await emulator.start(stateDir);
  const clientFor = (at: string) =>
    new S3Client({ endpoint: at, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true });
  let s3 = clientFor(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'burst' }));
  const sizes = [100, 8 * 1024, 1200 * 1024, 40 * 1024];
  const bodies = Array.from({ length: 200 }, (_, i) => randomBytes(sizes[i % sizes.length]));

  // Act: six clients putting one object after another, kill -9 at a random answer (requests stop with it)
  const killAfter = 5 + Math.floor(Math.random() * 30);
  const acknowledged = new Map<string, string>();
  let answered = 0;
  let next = 0;
  let killed!: Promise<void>;
  const client = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      try {
        const { ETag } = await s3.send(
          new PutObjectCommand({ Bucket: 'burst', Key: `o-${i}`, Body: bodies[i] }),
        );
        acknowledged.set(`o-${i}`, ETag as string);
        if (++answered === killAfter) killed = emulator.kill();
      } catch {
        return; // the emulator is gone
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, client));
  await killed;
  expect(answered).toBeGreaterThanOrEqual(killAfter);
  expect(answered).toBeLessThan(bodies.length);
  s3.destroy();
  endpoint = await emulator.start(stateDir);
  s3 = clientFor(endpoint);

  // Assert: every acknowledged object is there, byte-identical, with its ETag
  for (const [key, etag] of acknowledged) {
    const answer = await s3.send(new GetObjectCommand({ Bucket: 'burst', Key: key }));
    const bytes = Buffer.from(
      await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const i = Number(key.slice(2));
    expect({ key, md5: createHash('md5').update(bytes).digest('hex'), etag: answer.ETag }).toEqual({
      key,
      md5: createHash('md5').update(bodies[i]).digest('hex'),
      etag,
    });
  }
  s3.destroy();
  await emulator.kill();
}, 60_000);
