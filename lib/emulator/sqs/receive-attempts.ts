/**
 * FIFO receive retries (ReceiveMessage's ReceiveRequestAttemptId): AWS answers a retry with the same attempt id
 * with the same messages and receipt handles, for 5 minutes, as long as none of them was touched since.
 */
import { MessageState, type Queue, type StoredMessage } from './model';

/** AWS: a ReceiveRequestAttemptId can be reused for 5 minutes. */
const RECEIVE_ATTEMPT_MS = 5 * 60_000;
/** Expired attempts are swept once a queue holds this many. */
const SWEEP_ABOVE = 10_000;

interface ReceiveAttempt {
  expiresAt: number;
  messages: { message: StoredMessage; generation: number }[];
}

export class ReceiveAttempts {
  private readonly byQueue = new Map<number, Map<string, ReceiveAttempt>>();

  /** Remembers what a receive with `attemptId` returned. */
  record(queue: Queue, attemptId: string, messages: StoredMessage[], now: number): void {
    let attempts = this.byQueue.get(queue.id);
    if (!attempts) {
      attempts = new Map();
      this.byQueue.set(queue.id, attempts);
    }
    if (attempts.size > SWEEP_ABOVE)
      for (const [k, a] of attempts) if (a.expiresAt <= now) attempts.delete(k);
    attempts.set(attemptId, {
      expiresAt: now + RECEIVE_ATTEMPT_MS,
      messages: messages.map((message) => ({ message, generation: message.receiptGeneration })),
    });
  }

  /** The messages of an earlier receive with `attemptId`, hidden again for `visibilityTimeout`, if untouched. */
  replay(
    queue: Queue,
    attemptId: string,
    visibilityTimeout: number,
    now: number,
  ): StoredMessage[] | undefined {
    const attempts = this.byQueue.get(queue.id);
    const attempt = attempts?.get(attemptId);
    if (!attempts || !attempt) return undefined;
    attempts.delete(attemptId);
    if (attempt.expiresAt <= now) return undefined;
    const untouched = attempt.messages.every(
      ({ message, generation }) =>
        message.state === MessageState.InFlight &&
        message.receiptGeneration === generation &&
        queue.view(message).visibleAt > now,
    );
    if (!untouched) return undefined;
    for (const { message } of attempt.messages) queue.extendVisibility(message, visibilityTimeout, now);
    attempts.set(attemptId, attempt);
    return attempt.messages.map((m) => m.message);
  }

  /** Forgets a queue's attempts (purged or deleted). */
  forget(queue: Queue): void {
    this.byQueue.delete(queue.id);
  }
}
