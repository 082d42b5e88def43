import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { MAX_REQUEST_BYTES } from '../../../lib/emulator/protocol/http-server';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
let queueUrl: string;
beforeAll(async () => {
  t = await startTestEmulator();
  queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'sturdy' }))).QueueUrl as string;
});
afterAll(async () => {
  await t.stop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(
  body: string | Buffer,
  headers: Record<string, string>,
  method = 'POST',
  path = '/',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${t.emulator.endpoint}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (target: string, body: string) =>
  raw(body, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target });

/** Deterministic PRNG (mulberry32), so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bad input gets an AWS-shaped 4xx', () => {
  it('malformed JSON is a SerializationException', async () => {
    // Act
    const response = await json('AmazonSQS.SendMessage', '{"QueueUrl": ');
    // Assess
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#SerializationException');
  });

  it('a wrong type is a SerializationException', async () => {
    // Act
    const response = await json(
      'AmazonSQS.SendMessage',
      JSON.stringify({ QueueUrl: queueUrl, MessageBody: 42 }),
    );
    // Assess
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#SerializationException');
  });

  it('an unknown operation is an UnknownOperationException', async () => {
    // Act
    const response = await json('AmazonSQS.Explode', '{}');
    // Assess
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#UnknownOperationException');
  });

  it('a JSON error names the legacy code in x-amzn-query-error', async () => {
    // Act
    const response = await json('AmazonSQS.GetQueueUrl', JSON.stringify({ QueueName: 'missing' }));
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers['x-amzn-query-error']).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  it('an oversized body is a 413, and the server keeps serving', async () => {
    // Act
    const response = await raw(Buffer.alloc(MAX_REQUEST_BYTES + 1, 'a'), {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.SendMessage',
    });
    const after = await t.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'still here' }));
    // Assess
    expect(response.status).toBe(413);
    expect(after.MessageId).toBeDefined();
  });

  it('survives aborted connections and garbage on the socket', async () => {
    // Act
    for (const payload of [
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half',
      'NONSENSE\r\n\r\n',
      '\u0000\u0001\u0002',
    ]) {
      await new Promise<void>((resolve) => {
        const socket = connect(t.emulator.port, '127.0.0.1', () => {
          socket.write(payload);
          setTimeout(() => socket.destroy(), 10);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
    }
    const after = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    // Assess
    expect(after.$metadata.httpStatusCode).toBe(200);
  });
});

describe('fuzz', () => {
  it('answers thousands of random and mutated requests without a 5xx, then still works', async () => {
    // Prepare
    const random = prng(20260101);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const targets = [
      'SendMessage',
      'SendMessageBatch',
      'ReceiveMessage',
      'DeleteMessage',
      'DeleteMessageBatch',
      'ChangeMessageVisibility',
      'ChangeMessageVisibilityBatch',
      'CreateQueue',
      'GetQueueAttributes',
      'SetQueueAttributes',
      'ListQueues',
      'TagQueue',
      'AddPermission',
      'StartMessageMoveTask',
      'CancelMessageMoveTask',
      'Nope',
    ];
    const values: unknown[] = [
      queueUrl,
      'x',
      '',
      -1,
      0,
      1.5,
      2 ** 53,
      true,
      null,
      [],
      [{}],
      [{ Id: 'a', MessageBody: 'b', ReceiptHandle: 'c', VisibilityTimeout: 5 }],
      {},
      { a: { DataType: 'String', StringValue: 'v' } },
      { a: { DataType: 'Binary', BinaryValue: '!!' } },
      { a: 'b' },
      '\ud800',
      'arn:aws:sqs:us-east-1:000000000000:sturdy',
      'x'.repeat(300),
    ];
    const fields = [
      'QueueUrl',
      'QueueName',
      'MessageBody',
      'Entries',
      'ReceiptHandle',
      'VisibilityTimeout',
      'MaxNumberOfMessages',
      'DelaySeconds',
      'MessageAttributes',
      'Attributes',
      'AttributeNames',
      'Tags',
      'SourceArn',
      'TaskHandle',
      'MessageGroupId',
    ];
    const valid = JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'seed' });
    const statuses = new Map<number, number>();
    // Act
    for (let i = 0; i < 2500; i++) {
      let response: RawResponse;
      const kind = random();
      if (kind < 0.45) {
        const body: Record<string, unknown> = {};
        const n = Math.floor(random() * 4);
        for (let j = 0; j < n; j++) body[pick(fields)] = pick(values);
        if (random() < 0.7) body.QueueUrl = queueUrl;
        if (body.WaitTimeSeconds !== undefined) delete body.WaitTimeSeconds;
        response = await json(`AmazonSQS.${pick(targets)}`, JSON.stringify(body));
      } else if (kind < 0.75) {
        const bytes = Buffer.from(valid);
        const flips = 1 + Math.floor(random() * 4);
        for (let j = 0; j < flips; j++)
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        response = await json(`AmazonSQS.${pick(targets)}`, bytes.toString('latin1'));
      } else if (kind < 0.9) {
        const params = new URLSearchParams({ Action: pick(targets) });
        const n = Math.floor(random() * 4);
        for (let j = 0; j < n; j++) {
          params.set(
            pick([...fields, 'Attribute.1.Name', 'MessageAttribute.1.Value.BinaryValue']),
            String(pick(values)),
          );
        }
        response = await raw(
          params.toString(),
          { 'content-type': 'application/x-www-form-urlencoded' },
          'POST',
          pick(['/', '/000000000000/sturdy', '/x/y/z']),
        );
      } else {
        const junk = Buffer.alloc(Math.floor(random() * 200));
        for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(random() * 256);
        response = await raw(
          junk,
          {
            'content-type': pick([
              'application/x-amz-json-1.0',
              'text/plain',
              'application/x-www-form-urlencoded',
            ]),
          },
          pick(['POST', 'PUT', 'GET']),
        );
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    const sent = await t.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'after the storm' }),
    );
    // Assess
    const serverErrors = [...statuses].filter(([status]) => status >= 500);
    expect(serverErrors).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(400)).toBeGreaterThan(500);
    expect(sent.MessageId).toBeDefined();
  });
});
