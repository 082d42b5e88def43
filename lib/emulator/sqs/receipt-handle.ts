import { randomBytes } from 'node:crypto';

/** Per-process salt: handles from an earlier emulator run never match a message of this one. */
const RUN = randomBytes(6).toString('hex');

/** What a receipt handle points at: a queue, a message in it, and the receive that produced the handle. */
export interface ReceiptHandleParts {
  queueId: number;
  seq: number;
  generation: number;
}

/** Encodes everything needed to find the message in O(1) and to tell a stale handle from the current one. */
export function encodeReceiptHandle(queueId: number, seq: number, generation: number): string {
  return `${RUN}-${queueId.toString(36)}-${seq.toString(36)}-${generation.toString(36)}`;
}

/** Undefined when the text is not a handle this emulator run issued. */
export function decodeReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  if (typeof handle !== 'string' || !handle.startsWith(RUN)) return undefined;
  const parts = handle.slice(RUN.length + 1).split('-');
  if (parts.length !== 3 || handle[RUN.length] !== '-') return undefined;
  const [queueId, seq, generation] = parts.map((p) =>
    /^[0-9a-z]{1,11}$/.test(p) ? Number.parseInt(p, 36) : Number.NaN,
  );
  if (!Number.isSafeInteger(queueId) || !Number.isSafeInteger(seq) || !Number.isSafeInteger(generation))
    return undefined;
  return { queueId, seq, generation };
}
