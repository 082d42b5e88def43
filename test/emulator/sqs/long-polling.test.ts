import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { settle, startTestEmulator, type TestEmulator, untilWaiting } from '../../helpers/emulator';

let t: TestEmulator;
let url: string;
beforeEach(async () => {
  t = await startTestEmulator();
  url = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'polled' }))).QueueUrl as string;
});
afterEach(async () => {
  await t.stop();
});

/** Starts a receive and reports whether it has answered yet. */
function startReceive(extra: Record<string, unknown> = {}, abortSignal?: AbortSignal) {
  const state: { done: boolean; messages?: Message[] } = { done: false };
  const promise = t.sqs
    .send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, ...extra }), { abortSignal })
    .then((r) => {
      state.done = true;
      state.messages = r.Messages ?? [];
      return state.messages;
    });
  return { state, promise };
}

describe('long polling', () => {
  it('returns as soon as a message is sent, without any time passing', async () => {
    // Prepare
    const poll = startReceive();
    await untilWaiting(t.emulator, 1);
    // Act
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const messages = await poll.promise;
    // Assess
    expect(messages.map((m) => m.Body)).toEqual(['wake up']);
    expect(t.emulator.sqs.waitingReceivers()).toBe(0);
  });

  it('on a clock nobody moves (--clock manual), also answers empty after WaitTimeSeconds of real time', async () => {
    // Prepare
    const started = Date.now();
    const poll = startReceive({ WaitTimeSeconds: 1 });
    // Act: the clock stands still
    const messages = await poll.promise;
    // Assess
    expect(messages).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('answers empty when WaitTimeSeconds elapse', async () => {
    // Prepare
    const poll = startReceive({ WaitTimeSeconds: 20 });
    await untilWaiting(t.emulator, 1);
    // Act
    t.clock.advance(19_999);
    await settle();
    const earlier = poll.state.done;
    t.clock.advance(1);
    const messages = await poll.promise;
    // Assess
    expect(earlier).toBe(false);
    expect(messages).toEqual([]);
  });

  it("uses the queue's ReceiveMessageWaitTimeSeconds when the request names none", async () => {
    // Prepare
    await t.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ReceiveMessageWaitTimeSeconds: '5' } }),
    );
    const poll = t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await untilWaiting(t.emulator, 1);
    // Act
    t.clock.advance(5000);
    const result = await poll;
    // Assess
    expect(result.Messages ?? []).toEqual([]);
  });

  it('is woken when a visibility timeout expires', async () => {
    // Prepare
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 7 }));
    const poll = startReceive();
    await untilWaiting(t.emulator, 1);
    // Act
    t.clock.advance(6_999);
    await settle();
    const early = poll.state.done;
    t.clock.advance(1);
    const messages = await poll.promise;
    // Assess
    expect(early).toBe(false);
    expect(messages.map((m) => m.Body)).toEqual(['retry me']);
  });

  it('is woken when a delay ends', async () => {
    // Prepare
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 3 }));
    const poll = startReceive();
    await untilWaiting(t.emulator, 1);
    // Act
    t.clock.advance(3000);
    const messages = await poll.promise;
    // Assess
    expect(messages.map((m) => m.Body)).toEqual(['later']);
  });

  it('serves several waiting receivers in arrival order, one message each', async () => {
    // Prepare
    const first = startReceive();
    await untilWaiting(t.emulator, 1);
    const second = startReceive();
    await untilWaiting(t.emulator, 2);
    // Act
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
    const bodies = [(await first.promise)[0]?.Body, (await second.promise)[0]?.Body];
    // Assess
    expect(bodies).toEqual(['one', 'two']);
  });

  it('forgets a receiver whose connection closed, so it cannot swallow a message', async () => {
    // Prepare
    const controller = new AbortController();
    const abandoned = startReceive({}, controller.signal);
    await untilWaiting(t.emulator, 1);
    // Act
    controller.abort();
    await abandoned.promise.catch(() => undefined);
    for (let i = 0; i < 100 && t.emulator.sqs.waitingReceivers() > 0; i++) await settle(5);
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    const result = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    // Assess
    expect(t.emulator.sqs.waitingReceivers()).toBe(0);
    expect(result.Messages?.map((m) => m.Body)).toEqual(['kept']);
  });

  it('rejects WaitTimeSeconds above 20', async () => {
    // Act
    const error = await t.sqs
      .send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 }))
      .catch((e) => e);
    // Assess
    expect(error.message).toBe(
      'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    );
  });
});
