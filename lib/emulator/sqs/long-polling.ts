/**
 * Long polling (ReceiveMessage with WaitTimeSeconds): receivers wait per queue and are woken by events (sends,
 * visibility changes) and by one timer per queue armed for its next delay or visibility deadline, never by a tick.
 */
import { type Clock, ManualClock, type Timer } from '../clock';
import type { Queue, StoredMessage } from './model';

interface Waiter {
  tryDeliver(): boolean;
  cancel(): void;
}

interface WaitList {
  waiters: Waiter[];
  wakeTimer: Timer | undefined;
}

export class LongPolls {
  private readonly waitLists = new Map<number, WaitList>();

  constructor(private readonly clock: Clock) {}

  /**
   * Waits up to `seconds` for `receive` to return messages, first in first served per queue; resolves with
   * `answer` of them, or of none when the time is up, the queue is deleted or `signal` aborts.
   */
  wait<R>(
    queue: Queue,
    seconds: number,
    receive: () => StoredMessage[],
    answer: (messages: StoredMessage[]) => R,
    signal?: AbortSignal,
  ): Promise<R> {
    return new Promise((resolve) => {
      let list = this.waitLists.get(queue.id);
      if (!list) {
        list = { waiters: [], wakeTimer: undefined };
        this.waitLists.set(queue.id, list);
      }
      const waitList = list;
      let done = false;
      const finish = (messages: StoredMessage[]) => {
        if (done) return;
        done = true;
        this.clock.clearTimer(timeout);
        if (realTimeout) clearTimeout(realTimeout);
        signal?.removeEventListener('abort', onAbort);
        const i = waitList.waiters.indexOf(waiter);
        if (i >= 0) waitList.waiters.splice(i, 1);
        this.release(queue.id, waitList);
        resolve(answer(messages));
      };
      const waiter: Waiter = {
        tryDeliver: () => {
          if (done) return false;
          const messages = receive();
          if (messages.length === 0) return false;
          finish(messages);
          return true;
        },
        cancel: () => finish([]),
      };
      const onAbort = () => finish([]);
      const timeout = this.clock.setTimer(this.clock.now() + seconds * 1000, () => finish([]));
      // a clock that moves only when told would hold a client on an empty queue until someone moves it: the
      // wait also ends after its seconds of real time
      const realTimeout =
        this.clock instanceof ManualClock ? setTimeout(() => finish([]), seconds * 1000).unref() : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      waitList.waiters.push(waiter);
      this.scheduleWake(queue, waitList);
    });
  }

  /** Hands newly visible messages to waiting receivers, and arms a timer for the next deadline if any wait on. */
  notify(queue: Queue): void {
    const list = this.waitLists.get(queue.id);
    if (!list) return;
    queue.refresh(this.clock.now());
    while (list.waiters.length > 0 && queue.hasVisible()) {
      const waiter = list.waiters[0];
      if (!waiter.tryDeliver()) break;
    }
    if (this.waitLists.get(queue.id) === list) this.scheduleWake(queue, list);
  }

  /** Whether anyone waits on the queue. */
  hasWaiters(queue: Queue): boolean {
    return this.waitLists.has(queue.id);
  }

  /** Ends every wait on a queue (it was deleted): each receiver gets an empty answer. */
  cancel(queue: Queue): void {
    const list = this.waitLists.get(queue.id);
    if (list) this.end(queue.id, list);
  }

  /** Receives currently waiting, across all queues. */
  get waiting(): number {
    let n = 0;
    for (const list of this.waitLists.values()) n += list.waiters.length;
    return n;
  }

  /** Ends every wait (emulator shutdown). */
  close(): void {
    for (const [id, list] of this.waitLists) this.end(id, list);
  }

  private end(queueId: number, list: WaitList): void {
    this.waitLists.delete(queueId);
    if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
    for (const waiter of [...list.waiters]) waiter.cancel();
  }

  private release(queueId: number, list: WaitList): void {
    if (list.waiters.length > 0) return;
    if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
    list.wakeTimer = undefined;
    if (this.waitLists.get(queueId) === list) this.waitLists.delete(queueId);
  }

  private scheduleWake(queue: Queue, list: WaitList): void {
    const next = queue.nextDeadline();
    if (list.waiters.length === 0 || next === undefined) {
      if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
      list.wakeTimer = undefined;
      return;
    }
    if (list.wakeTimer && list.wakeTimer.atMs <= next) return;
    if (list.wakeTimer) this.clock.clearTimer(list.wakeTimer);
    list.wakeTimer = this.clock.setTimer(next, () => {
      list.wakeTimer = undefined;
      this.notify(queue);
    });
  }
}
