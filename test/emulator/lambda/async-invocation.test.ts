import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import {
  type AsyncInvokeConfig,
  AsyncInvoker,
  type InvocationRecord,
} from '../../../lib/emulator/lambda/async-invocation';
import { sendInvocationRecord } from '../../../lib/emulator/lambda/destinations';
import type { InvocationResult } from '../../../lib/emulator/lambda/function-runtime';
import { sqsClientFor } from '../../helpers/emulator';

const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:producer';

describe('AsyncInvoker', () => {
  let emu: Emulator;
  let sqs: SQSClient;
  let clock: ManualClock;
  let attempts: number[];

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
    emu = await startEmulator({ port: 0, clock, region: 'us-east-1' });
    sqs = sqsClientFor(emu.endpoint);
    attempts = [];
  });
  afterEach(async () => {
    sqs.destroy();
    await emu.stop();
  });

  /** An invoker over an in-process function that fails its first `failures` attempts. */
  async function setup(config: Omit<AsyncInvokeConfig, 'onSuccess' | 'onFailure'>, failures: number) {
    const success = await sqs.send(new CreateQueueCommand({ QueueName: 'on-success' }));
    const failure = await sqs.send(new CreateQueueCommand({ QueueName: 'on-failure' }));
    const invoker = new AsyncInvoker({
      clock,
      deliveries: emu.deliveries,
      async invoke(_fn, event, requestId): Promise<InvocationResult> {
        attempts.push(clock.now());
        return attempts.length <= failures
          ? {
              ok: false,
              requestId,
              durationMs: 1,
              error: { errorType: 'Error', errorMessage: `attempt ${attempts.length} failed` },
            }
          : { ok: true, requestId, durationMs: 1, payload: { handled: event } };
      },
      sendToDestination: (arn, record) => sendInvocationRecord(emu, arn, record),
    });
    invoker.configure('producer', {
      ...config,
      onSuccess: 'arn:aws:sqs:us-east-1:000000000000:on-success',
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:on-failure',
    });
    const records = async (url: string | undefined): Promise<InvocationRecord[]> => {
      await emu.idle();
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
      );
      return (Messages ?? []).map((m) => JSON.parse(m.Body ?? ''));
    };
    return {
      invoker,
      successRecords: () => records(success.QueueUrl),
      failureRecords: () => records(failure.QueueUrl),
    };
  }

  test('a successful invocation records the request and response on the success destination', async () => {
    const { invoker, successRecords, failureRecords } = await setup({}, 0);

    const requestId = invoker.invoke('producer', FN_ARN, { key: 'uploads/a.json' });
    const [record] = await successRecords();

    expect(record).toEqual({
      version: '1.0',
      timestamp: '2026-11-21T10:00:00.000Z',
      requestContext: {
        requestId,
        functionArn: `${FN_ARN}:$LATEST`,
        condition: 'Success',
        approximateInvokeCount: 1,
      },
      requestPayload: { key: 'uploads/a.json' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { handled: { key: 'uploads/a.json' } },
    });
    expect(await failureRecords()).toEqual([]);
  });

  test('a failing invocation is retried 1 and then 2 minutes later, then recorded as RetriesExhausted', async () => {
    const { invoker, failureRecords } = await setup({}, 3);
    const start = clock.now();

    invoker.invoke('producer', FN_ARN, { n: 1 });
    await emu.idle();
    expect(await failureRecords()).toEqual([]);
    clock.advance(60_000);
    await emu.idle();
    clock.advance(120_000);
    const [record] = await failureRecords();

    expect(attempts.map((t) => t - start)).toEqual([0, 60_000, 180_000]);
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record.responsePayload).toMatchObject({ errorType: 'Error', errorMessage: 'attempt 3 failed' });
  });

  test('a retry that succeeds is recorded as Success with its invoke count', async () => {
    const { invoker, successRecords } = await setup({}, 1);

    invoker.invoke('producer', FN_ARN, {});
    await emu.idle();
    clock.advance(60_000);
    const [record] = await successRecords();

    expect(record.requestContext).toMatchObject({ condition: 'Success', approximateInvokeCount: 2 });
  });

  test('MaximumRetryAttempts 0 records the failure after one attempt', async () => {
    const { invoker, failureRecords } = await setup({ maximumRetryAttempts: 0 }, 5);

    invoker.invoke('producer', FN_ARN, {});
    const [record] = await failureRecords();

    expect(attempts).toHaveLength(1);
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
  });

  test('an event older than MaximumEventAgeInSeconds is not retried but recorded as EventAgeExceeded', async () => {
    const { invoker, failureRecords } = await setup({ maximumEventAgeSeconds: 90 }, 5);

    invoker.invoke('producer', FN_ARN, {});
    await emu.idle();
    clock.advance(60_000); // second attempt at 60 s; a third would be at 180 s, past the 90 s age
    await emu.idle();
    expect(await failureRecords()).toEqual([]);
    clock.advance(30_000);
    const [record] = await failureRecords();

    expect(attempts).toHaveLength(2);
    expect(record.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 2 });
    expect(record.timestamp).toBe('2026-11-21T10:01:30.000Z');
  });
});
