import { Logger } from '@aws-lambda-powertools/logger';
import {
  createProducerHandler,
  type OutgoingMessage,
  type ProducerPorts,
  SendFailedError,
} from '../../lambda/producer/producer';
import { s3PutEvent } from '../helpers/lambda-events';

/** In-memory S3 objects and an SQS queue standing in for the real services. */
class MemoryWorld implements ProducerPorts {
  readonly objects = new Map<string, string>();
  readonly batches: OutgoingMessage[][] = [];
  refuse = new Set<string>();
  async readObject(bucket: string, key: string): Promise<string> {
    const body = this.objects.get(`${bucket}/${key}`);
    if (body === undefined) throw new Error(`NoSuchKey: ${bucket}/${key}`);
    return body;
  }
  async sendBatch(messages: readonly OutgoingMessage[]) {
    this.batches.push([...messages]);
    return messages
      .filter((m) => this.refuse.has(m.body))
      .map((m) => ({ id: m.id, reason: 'InvalidMessageContents' }));
  }
}

const silent = () => new Logger({ logLevel: 'SILENT' });
const order = (i: number) => ({
  orderId: `o-${i}`,
  customerId: 'c-1',
  items: [{ sku: 'A', quantity: 1, unitPrice: 1 }],
});

describe('producer handler', () => {
  test('sends one message per order of an uploaded array, in batches of at most 10', async () => {
    // Prepare
    const world = new MemoryWorld();
    world.objects.set(
      'orders-bucket/uploads/day 1.json',
      JSON.stringify(Array.from({ length: 23 }, (_, i) => order(i))),
    );
    const handler = createProducerHandler(world, silent());

    // Act: S3 encodes the space in the key as '+'
    const result = await handler(s3PutEvent('orders-bucket', ['uploads/day+1.json']));

    // Assess
    expect(world.batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(world.batches.flat().map((m) => JSON.parse(m.body).orderId)).toEqual(
      Array.from({ length: 23 }, (_, i) => `o-${i}`),
    );
    expect(world.batches[0][0].attributes).toEqual({
      sourceBucket: 'orders-bucket',
      sourceKey: 'uploads/day 1.json',
    });
    expect(result).toEqual({
      uploads: [{ bucket: 'orders-bucket', key: 'uploads/day 1.json', messagesSent: 23 }],
    });
  });

  test('batch entry ids are unique within each batch', async () => {
    const world = new MemoryWorld();
    world.objects.set('b/uploads/x.json', JSON.stringify(Array.from({ length: 12 }, (_, i) => order(i))));

    await createProducerHandler(world, silent())(s3PutEvent('b', ['uploads/x.json']));

    for (const batch of world.batches) expect(new Set(batch.map((m) => m.id)).size).toBe(batch.length);
  });

  test('handles every record of the event', async () => {
    const world = new MemoryWorld();
    world.objects.set('b/uploads/a.json', JSON.stringify(order(1)));
    world.objects.set('b/uploads/b.json', JSON.stringify(order(2)));

    const result = await createProducerHandler(
      world,
      silent(),
    )(s3PutEvent('b', ['uploads/a.json', 'uploads/b.json']));

    expect(result.uploads.map((u) => u.messagesSent)).toEqual([1, 1]);
  });

  test('an empty upload sends nothing and still succeeds', async () => {
    const world = new MemoryWorld();
    world.objects.set('b/uploads/empty.json', '');

    const result = await createProducerHandler(world, silent())(s3PutEvent('b', ['uploads/empty.json']));

    expect(world.batches).toEqual([]);
    expect(result.uploads[0].messagesSent).toBe(0);
  });

  test('fails the invocation when SQS refuses a message, so Lambda retries and records the failure', async () => {
    const world = new MemoryWorld();
    world.objects.set('b/uploads/x.json', JSON.stringify([order(1), order(2)]));
    world.refuse.add(JSON.stringify(order(2)));

    const invocation = createProducerHandler(world, silent())(s3PutEvent('b', ['uploads/x.json']));

    await expect(invocation).rejects.toBeInstanceOf(SendFailedError);
    await expect(invocation).rejects.toThrow(
      'SQS refused 1 message(s) from uploads/x.json: 1 (InvalidMessageContents)',
    );
  });
});
