import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { type ConsumerPorts, createConsumerHandler } from '../../lambda/consumer/consumer';
import { lambdaContext, sqsEvent } from '../helpers/lambda-events';

/** An in-memory bucket standing in for S3 (the real one comes with the emulator's end-to-end runs). */
class MemoryBucket implements ConsumerPorts {
  readonly objects = new Map<string, string>();
  failingKeys = new Set<string>();
  async writeResult(key: string, json: string): Promise<void> {
    if (this.failingKeys.has(key)) throw new Error(`AccessDenied on ${key}`);
    this.objects.set(key, json);
  }
}

const silent = () => new Logger({ logLevel: 'SILENT' });
const order = (orderId: string, quantity = 2) =>
  JSON.stringify({ orderId, customerId: 'c-1', items: [{ sku: 'A', quantity, unitPrice: 9.5 }] });

describe('consumer handler', () => {
  test('writes one result per order and reports no failure for a good batch', async () => {
    // Prepare
    const bucket = new MemoryBucket();
    const handler = createConsumerHandler(bucket, silent());

    // Act
    const response = await handler(sqsEvent([order('o-1'), order('o-2', 3)]), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(JSON.parse(bucket.objects.get('results/o-1.json') ?? '')).toEqual({
      orderId: 'o-1',
      customerId: 'c-1',
      itemCount: 2,
      total: 19,
    });
    expect(JSON.parse(bucket.objects.get('results/o-2.json') ?? '').total).toBe(28.5);
  });

  test('a malformed order fails only its own record; the rest of the batch is written', async () => {
    const bucket = new MemoryBucket();
    const handler = createConsumerHandler(bucket, silent());
    const event = sqsEvent([order('o-1'), '{"orderId": "o-2", "items": "lots"}', order('o-3')]);

    const response = await handler(event, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1].messageId }] });
    expect([...bucket.objects.keys()].sort()).toEqual(['results/o-1.json', 'results/o-3.json']);
  });

  test('a failed write fails only that record', async () => {
    const bucket = new MemoryBucket();
    bucket.failingKeys.add('results/o-2.json');
    const handler = createConsumerHandler(bucket, silent());
    const event = sqsEvent([order('o-1'), order('o-2')]);

    const response = await handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].messageId }]);
  });

  test('a redelivered order rewrites the same object with the same content (idempotent)', async () => {
    const bucket = new MemoryBucket();
    const handler = createConsumerHandler(bucket, silent());
    await handler(sqsEvent([order('o-1')]), lambdaContext());
    const first = bucket.objects.get('results/o-1.json');

    await handler(sqsEvent([order('o-1')], 2), lambdaContext());

    expect(bucket.objects.size).toBe(1);
    expect(bucket.objects.get('results/o-1.json')).toBe(first);
  });

  test('a batch where every record fails throws, so Lambda retries the whole batch', async () => {
    const handler = createConsumerHandler(new MemoryBucket(), silent());

    await expect(handler(sqsEvent(['nope', '{}']), lambdaContext())).rejects.toBeInstanceOf(
      FullBatchFailureError,
    );
  });
});
