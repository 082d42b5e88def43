import { randomBytes } from 'node:crypto';

/** Per-process salt: handles from an earlier emulator run never match a message of this one. */
const RUN = randomBytes(6).toString('hex');
const PARTS = /^([0-9]{1,15})-([0-9]{1,15})-([0-9]{1,15})$/;

/** What a receipt handle points at: a queue, a message in it, and the receive that produced the handle. */
export interface ReceiptHandleParts {
  queueId: number;
  seq: number;
  generation: number;
}

/** Encodes everything needed to find the message in O(1) and to tell a stale handle from the current one. */
export function encodeReceiptHandle(queueId: number, seq: number, generation: number): string {
  return `${RUN}-${queueId}-${seq}-${generation}`;
}

/** Undefined when the text is not a handle this emulator run issued. */
export function decodeReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  if (typeof handle !== 'string' || !handle.startsWith(RUN) || handle.charCodeAt(RUN.length) !== 45 /* - */) {
    return undefined;
  }
  const match = PARTS.exec(handle.slice(RUN.length + 1));
  if (match === null) return undefined;
  return { queueId: Number(match[1]), seq: Number(match[2]), generation: Number(match[3]) };
}
