import { DeadlineHeap } from '../../../lib/emulator/sqs/deadline-heap';
import { md5OfMessageAttributes } from '../../../lib/emulator/sqs/message-digest';
import { type NewMessage, Queue } from '../../../lib/emulator/sqs/model';
import { defaultSettings } from '../../../lib/emulator/sqs/queue-attributes';
import { decodeReceiptHandle, encodeReceiptHandle } from '../../../lib/emulator/sqs/receipt-handle';

const message = (body: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  body,
  md5OfBody: '',
  senderId: '000000000000',
  sentAt: 0,
  delaySeconds: 0,
  ...extra,
});

const queue = (fifo = false) =>
  new Queue(fifo ? 'q.fifo' : 'q', 'arn', 'url', fifo, defaultSettings(fifo), 0);

describe('DeadlineHeap', () => {
  it('pops in deadline order after pushes, removals and re-keys', () => {
    // Prepare
    const heap = new DeadlineHeap<{ visibleAt: number; heapIndex: number; name: string }>();
    const items = [50, 10, 40, 30, 20].map((visibleAt) => ({
      visibleAt,
      heapIndex: -1,
      name: `t${visibleAt}`,
    }));
    for (const item of items) heap.push(item);
    // Act
    heap.remove(items[2]); // 40
    items[0].visibleAt = 5; // 50 -> 5
    heap.update(items[0]);
    const order: string[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) order.push(item.name);
    // Assess
    expect(order).toEqual(['t50', 't10', 't20', 't30']);
    expect(items.every((i) => i.heapIndex === -1)).toBe(true);
  });
});

describe('Queue (standard)', () => {
  it('keeps counts consistent through receive, expiry, change of visibility and delete', () => {
    // Prepare
    const q = queue();
    const [a, b] = [q.enqueue(message('a'), 0), q.enqueue(message('b'), 0)];
    q.enqueue(message('c', { delaySeconds: 5 }), 0);
    // Act
    const taken = q.receive(10, 30, 0);
    const afterReceive = [q.visibleCount, q.inFlightCount, q.delayedCount];
    q.changeVisibility(b, 0, 1000);
    q.refresh(5000);
    const afterDelay = [q.visibleCount, q.inFlightCount, q.delayedCount];
    q.remove(a);
    q.refresh(40_000);
    // Assess
    expect(taken.map((m) => m.body)).toEqual(['a', 'b']);
    expect(afterReceive).toEqual([0, 2, 1]);
    expect(afterDelay).toEqual([2, 1, 0]);
    expect([q.visibleCount, q.inFlightCount, q.delayedCount, q.size]).toEqual([2, 0, 0, 2]);
  });

  it('hands messages past maxReceiveCount to the dead-letter sink', () => {
    // Prepare
    const q = queue();
    q.enqueue(message('poison'), 0);
    const dead: string[] = [];
    const redrive = { maxReceiveCount: 1, sink: (m: { body: string }) => dead.push(m.body) > 0 };
    q.receive(1, 1, 0, redrive);
    // Act
    const second = q.receive(1, 1, 1000, redrive);
    // Assess
    expect(second).toEqual([]);
    expect(dead).toEqual(['poison']);
    expect(q.size).toBe(0);
  });
});

describe('Queue (FIFO)', () => {
  it('delivers a group only from its head and only while nothing of it is in flight', () => {
    // Prepare
    const q = queue(true);
    for (const [body, groupId] of [
      ['a1', 'a'],
      ['b1', 'b'],
      ['a2', 'a'],
    ]) {
      q.enqueue(message(body, { groupId }), 0);
    }
    // Act
    const first = q.receive(1, 30, 0).map((m) => m.body);
    const second = q.receive(10, 30, 0).map((m) => m.body);
    const third = q.receive(10, 30, 0).map((m) => m.body);
    q.refresh(30_000);
    const afterTimeout = q.receive(10, 30, 30_000).map((m) => m.body);
    // Assess
    expect(first).toEqual(['a1']);
    expect(second).toEqual(['b1']);
    expect(third).toEqual([]);
    expect(afterTimeout).toEqual(['a1', 'a2', 'b1']);
  });

  it('remembers deduplication keys for five minutes after delete', () => {
    // Prepare
    const q = queue(true);
    const m = q.enqueue(message('x', { groupId: 'g' }), 0, 'key');
    q.remove(m);
    // Act
    const within = q.findDuplicate('key', 299_999);
    const after = q.findDuplicate('key', 300_000);
    // Assess
    expect(within?.messageId).toBe(q.messageId(m));
    expect(within?.messageId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(after).toBeUndefined();
  });
});

describe('receipt handles and digests', () => {
  it('round-trips a receipt handle and rejects foreign text', () => {
    expect(decodeReceiptHandle(encodeReceiptHandle(7, 12345, 3))).toEqual({
      queueId: 7,
      seq: 12345,
      generation: 3,
    });
    expect(decodeReceiptHandle('AQEBx9z...')).toBeUndefined();
  });

  it("computes AWS's MD5 of message attributes for binary values", () => {
    // AWS records 8cbe4db156db8a94db8b801b7addb984 for this binary attribute
    const value = Buffer.from('traceparent\u001e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01');
    expect(md5OfMessageAttributes({ attr1: { DataType: 'Binary', BinaryValue: value } })).toBe(
      '8cbe4db156db8a94db8b801b7addb984',
    );
  });
});

describe('Queue: compact messages', () => {
  it('keeps a FIFO message deduplication id through view, snapshot record, restore and dead-letter move', () => {
    // Prepare
    const fifo = queue(true);
    const plain = fifo.enqueue(message('a', { groupId: 'g', deduplicationId: 'd-1' }), 1_000, 'd-1');
    const attributes = { colour: { DataType: 'String', StringValue: 'red' } };
    const rich = fifo.enqueue(
      message('b', { groupId: 'g', deduplicationId: 'd-2', attributes }),
      1_000,
      'd-2',
    );
    // Act
    const restored = new Queue('q.fifo', 'arn', 'url', true, defaultSettings(true), 0, fifo.identity);
    restored.restoreMessage(fifo.record(plain));
    restored.restoreMessage(fifo.record(rich));
    // Assess
    expect(fifo.view(plain).extras).toEqual({ deduplicationId: 'd-1' });
    expect(fifo.view(rich).extras).toMatchObject({ deduplicationId: 'd-2', attributes });
    expect(restored.view(restored.message(plain.seq)!).extras).toEqual({ deduplicationId: 'd-1' });
    expect(restored.view(restored.message(rich.seq)!).extras).toMatchObject({
      deduplicationId: 'd-2',
      attributes,
    });
    expect(fifo.toNewMessage(plain)).toMatchObject({ deduplicationId: 'd-1', groupId: 'g', body: 'a' });
  });

  it('keeps times exact when a queue outlives the 24.8 days that fit a small integer', () => {
    // Prepare
    const createdAt = Date.UTC(2026, 0, 1);
    const old = new Queue('q', 'arn', 'url', false, defaultSettings(false), createdAt);
    const later = createdAt + 30 * 86_400_000 + 123;
    // Act
    const sent = old.enqueue(message('a', { sentAt: later }), later);
    const [received] = old.receive(1, 30, later);
    // Assess
    expect(received).toBe(sent);
    expect(old.view(sent)).toMatchObject({ sentAt: later, lastReceivedAt: later, visibleAt: later + 30_000 });
  });
});
