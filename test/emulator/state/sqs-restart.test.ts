/**
 * `--state-dir` with SQS, in process: everything SQS keeps comes back after a stop and a start on the same
 * directory (queues, attributes, tags, policies, messages with their receive counts, deadlines and receipt
 * handles, FIFO order and the deduplication window), from the journal alone and from a snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, sqsClientFor } from '../../helpers/emulator';

let dir: string;
let running: { emulator: Emulator; sqs: SQSClient } | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-sqs-'));
});

afterEach(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts an emulator on `dir`; a restart gets a new port, as after `kill -9` and `npm run emulator` again. */
async function start(clock: ManualClock): Promise<{ emulator: Emulator; sqs: SQSClient }> {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory: dir });
  running = { emulator, sqs: sqsClientFor(emulator.endpoint) };
  return running;
}

async function stop(): Promise<void> {
  running?.sqs.destroy();
  await running?.emulator.stop();
  running = undefined;
}

async function attributesOf(sqs: SQSClient, QueueUrl: string) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  return Attributes ?? {};
}

const url = (emulator: Emulator, name: string) => `${emulator.endpoint}/000000000000/${name}`;

describe.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('SQS state comes back after a restart %s', (_label, snapshot) => {
  it('keeps queues with their attributes, tags and policy, and messages with counts, deadlines and handles', async () => {
    // Prepare
    const clock = new ManualClock();
    let { emulator, sqs } = await start(clock);
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'orders',
        Attributes: {
          VisibilityTimeout: '60',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:orders-dlq',
            maxReceiveCount: 5,
          }),
        },
        tags: { team: 'checkout' },
      }),
    );
    await sqs.send(
      new AddPermissionCommand({
        QueueUrl: queueUrl,
        Label: 'producers',
        AWSAccountIds: ['111122223333'],
        Actions: ['SendMessage'],
      }),
    );
    const first = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'o-1',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'order' },
          blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 255]) },
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'o-2', DelaySeconds: 120 }));
    const gone = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'o-3' }));
    // o-1 and o-3 received (count 1), o-3 deleted; o-1 in flight for 60 s with a handle held across the restart
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(received.Messages?.map((m) => m.Body).sort()).toEqual(['o-1', 'o-3']);
    const handleOf = (id: string | undefined) =>
      received.Messages?.find((m) => m.MessageId === id)?.ReceiptHandle;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handleOf(gone.MessageId) }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    const attributesBefore = await attributesOf(sqs, queueUrl as string);
    if (snapshot) await emulator.persistence?.rewrite();

    // Act
    await stop();
    ({ emulator, sqs } = await start(clock));
    const restoredUrl = url(emulator, 'orders');

    // Assess: the queue as it was (URL on the new port), the DLQ's name still blocked for 60 s
    expect(await attributesOf(sqs, restoredUrl)).toEqual(attributesBefore);
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: restoredUrl }))).Tags).toEqual({
      team: 'checkout',
    });
    expect(JSON.parse((await attributesOf(sqs, restoredUrl)).Policy as string).Statement[0].Sid).toBe(
      'producers',
    );
    expect((await awsErrorOf(sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' })))).code).toBe(
      'AWS.SimpleQueueService.QueueDeletedRecently',
    );
    expect(attributesBefore).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    // the handle from before the restart still changes visibility and deletes
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: restoredUrl,
        ReceiptHandle: handleOf(first.MessageId),
        VisibilityTimeout: 0,
      }),
    );
    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: restoredUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(again.Messages?.[0]).toMatchObject({
      MessageId: first.MessageId,
      Body: 'o-1',
      Attributes: { ApproximateReceiveCount: '2' },
      MD5OfMessageAttributes: first.MD5OfMessageAttributes,
    });
    expect(again.Messages?.[0].MessageAttributes?.blob.BinaryValue).toEqual(Uint8Array.from([0, 1, 255]));
    // the delayed message keeps its delay: visible 120 s after it was sent, not before
    clock.advance(119_000);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: restoredUrl, ReceiptHandle: again.Messages?.[0].ReceiptHandle }),
    );
    expect(await attributesOf(sqs, restoredUrl)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    clock.advance(1_000);
    const late = await sqs.send(new ReceiveMessageCommand({ QueueUrl: restoredUrl }));
    expect(late.Messages?.map((m) => m.Body)).toEqual(['o-2']);
    // new messages get new ids: sequence numbers keep growing across the restart
    const fresh = await sqs.send(new SendMessageCommand({ QueueUrl: restoredUrl, MessageBody: 'o-4' }));
    expect([first.MessageId, gone.MessageId]).not.toContain(fresh.MessageId);
  });

  it('keeps FIFO order, groups held by in-flight messages, and the 5-minute deduplication window', async () => {
    // Prepare
    const clock = new ManualClock();
    let { emulator, sqs } = await start(clock);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'ledger.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    const sent = [];
    for (const [body, group] of [
      ['a1', 'a'],
      ['b1', 'b'],
      ['a2', 'a'],
      ['b2', 'b'],
    ]) {
      sent.push(
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: group })),
      );
    }
    // group a is held by a1 in flight
    const held = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    expect(held.Messages?.[0].Body).toBe('a1');
    if (snapshot) await emulator.persistence?.rewrite();

    // Act
    await stop();
    ({ emulator, sqs } = await start(clock));
    const restoredUrl = url(emulator, 'ledger.fifo');

    // Assess: a duplicate within 5 minutes answers the original, b delivers in order, a stays held
    const duplicate = await sqs.send(
      new SendMessageCommand({ QueueUrl: restoredUrl, MessageBody: 'b2', MessageGroupId: 'b' }),
    );
    expect(duplicate).toMatchObject({ MessageId: sent[3].MessageId, SequenceNumber: sent[3].SequenceNumber });
    const next = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: restoredUrl, MaxNumberOfMessages: 10 }),
    );
    expect(next.Messages?.map((m) => m.Body)).toEqual(['b1', 'b2']);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: restoredUrl, ReceiptHandle: held.Messages?.[0].ReceiptHandle }),
    );
    const rest = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: restoredUrl, MaxNumberOfMessages: 10 }),
    );
    expect(rest.Messages?.map((m) => m.Body)).toEqual(['a2']);
    clock.advance(5 * 60_000);
    const after = await sqs.send(
      new SendMessageCommand({ QueueUrl: restoredUrl, MessageBody: 'b2', MessageGroupId: 'b' }),
    );
    expect(BigInt(after.SequenceNumber as string)).toBeGreaterThan(BigInt(sent[3].SequenceNumber as string));
  });
});

it('brings a message move task running at the stop back cancelled, with the messages it moved moved', async () => {
  // Prepare: a dead-letter queue of three, a task moving one a second, one second of it
  const clock = new ManualClock();
  let { sqs } = await start(clock);
  const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq';
  const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs-dlq' }));
  await sqs.send(
    new CreateQueueCommand({
      QueueName: 'jobs',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
    }),
  );
  for (const body of ['j1', 'j2', 'j3'])
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body }));
  await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: dlqArn,
      DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
      MaxNumberOfMessagesPerSecond: 1,
    }),
  );
  clock.advance(1_000);

  // Act
  await stop();
  const restarted = await start(clock);
  sqs = restarted.sqs;
  const emulator = restarted.emulator;
  clock.advance(10_000);

  // Assess: two moved (at the start and a second later), then nothing more: the task did not resume
  const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
  expect(Results?.[0]).toMatchObject({
    Status: 'CANCELLED',
    ApproximateNumberOfMessagesMoved: 2,
    ApproximateNumberOfMessagesToMove: 3,
  });
  expect(await attributesOf(sqs, url(emulator, 'jobs'))).toMatchObject({ ApproximateNumberOfMessages: '2' });
  expect(await attributesOf(sqs, url(emulator, 'jobs-dlq'))).toMatchObject({
    ApproximateNumberOfMessages: '1',
  });
});
