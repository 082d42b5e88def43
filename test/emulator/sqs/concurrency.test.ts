import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
let client: SQSClient;
beforeEach(async () => {
  t = await startTestEmulator();
  // the SDK's default agent keeps up to 50 sockets: one per concurrent consumer and producer here
  client = t.sqs;
});
afterEach(async () => {
  await t.stop();
});

async function produce(
  url: string,
  bodies: { body: string; group?: string }[],
  producers: number,
): Promise<void> {
  const batches: { body: string; group?: string }[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  let next = 0;
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const result = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map((m, i) => ({
              Id: `e${i}`,
              MessageBody: m.body,
              MessageGroupId: m.group,
              MessageDeduplicationId: m.group === undefined ? undefined : m.body,
            })),
          }),
        );
        if (result.Failed?.length) throw new Error(`send failed: ${JSON.stringify(result.Failed)}`);
      }
    }),
  );
}

async function visibleAndInFlight(url: string): Promise<[number, number]> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return [
    Number(Attributes?.ApproximateNumberOfMessages),
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  ];
}

describe('concurrent consumers through the SDK', () => {
  it('delivers 10,000 standard messages to 16 consumers exactly once while visibility holds; nothing is lost', async () => {
    // Prepare
    const url = (await client.send(new CreateQueueCommand({ QueueName: 'busy' }))).QueueUrl as string;
    const total = 10_000;
    const bodies = Array.from({ length: total }, (_, i) => ({ body: `m${i}` }));
    const deliveries = new Map<string, number>();
    // every 50th message is "crashed on": received but not deleted, so it must come back after the timeout
    const forgotten = (body: string) => Number(body.slice(1)) % 50 === 0;
    let producing = true;
    // Act
    const consumers = Array.from({ length: 16 }, async () => {
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
        );
        if (Messages.length === 0) {
          if (!producing) return;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        for (const m of Messages)
          deliveries.set(m.Body as string, (deliveries.get(m.Body as string) ?? 0) + 1);
        const toDelete = Messages.filter((m) => !forgotten(m.Body as string));
        if (toDelete.length > 0) {
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: toDelete.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      }
    });
    await produce(url, bodies, 4);
    producing = false;
    await Promise.all(consumers);
    const beforeTimeout = [...deliveries.values()].every((n) => n === 1);
    const countsBefore = await visibleAndInFlight(url);
    t.clock.advance(30_000);
    const redelivered: string[] = [];
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) break;
      redelivered.push(...Messages.map((m) => m.Body as string));
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    // Assess
    expect(deliveries.size).toBe(total);
    expect(beforeTimeout).toBe(true);
    expect(countsBefore).toEqual([0, total / 50]);
    expect(redelivered.sort()).toEqual(
      bodies
        .map((b) => b.body)
        .filter(forgotten)
        .sort(),
    );
    expect(await visibleAndInFlight(url)).toEqual([0, 0]);
  });

  it('keeps FIFO order per group and never hands out a locked group, with 8 consumers over 3,000 messages', async () => {
    // Prepare
    const url = (
      await client.send(
        new CreateQueueCommand({ QueueName: 'ordered.fifo', Attributes: { FifoQueue: 'true' } }),
      )
    ).QueueUrl as string;
    const groups = 20;
    const total = 3_000;
    const bodies = Array.from({ length: total }, (_, i) => ({
      body: `g${i % groups}-${i}`,
      group: `g${i % groups}`,
    }));
    await produce(url, bodies, 4);
    // producers run concurrently, so the order within a group is the order of SequenceNumber
    const received = new Map<string, bigint[]>();
    const inFlightGroups = new Set<string>();
    let lockViolations = 0;
    let delivered = 0;
    // Act
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (delivered < total) {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'],
            }),
          );
          if (Messages.length === 0) {
            await new Promise((r) => setImmediate(r));
            continue;
          }
          const batchGroups = new Set(Messages.map((m) => m.Attributes?.MessageGroupId as string));
          for (const group of batchGroups) {
            if (inFlightGroups.has(group)) lockViolations++;
            inFlightGroups.add(group);
          }
          for (const m of Messages) {
            const group = m.Attributes?.MessageGroupId as string;
            received.set(group, [
              ...(received.get(group) ?? []),
              BigInt(m.Attributes?.SequenceNumber as string),
            ]);
          }
          delivered += Messages.length;
          for (const group of batchGroups) inFlightGroups.delete(group);
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      }),
    );
    // Assess
    expect(delivered).toBe(total);
    expect(lockViolations).toBe(0);
    for (let g = 0; g < groups; g++) {
      const sequence = received.get(`g${g}`) ?? [];
      expect(sequence).toHaveLength(total / groups);
      expect(sequence.every((n, i) => i === 0 || sequence[i - 1] < n)).toBe(true);
    }
    expect(await visibleAndInFlight(url)).toEqual([0, 0]);
  });
});
