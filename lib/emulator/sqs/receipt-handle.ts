import { randomBytes } from 'node:crypto';

/**
 * Per-process salt: handles from an earlier emulator run never match a message of this one (a queue restored
 * from `--state-dir` keeps the salt it was created with, so its handles stay valid across restarts).
 */
export const RECEIPT_RUN = randomBytes(6).toString('hex');
const PARTS = /^([0-9]{1,15})-([0-9]{1,15})-([0-9]{1,15})$/;

/** What a receipt handle points at: a queue, a message in it, and the receive that produced the handle. */
export interface ReceiptHandleParts {
  queueId: number;
  seq: number;
  generation: number;
}

/** Encodes everything needed to find the message in O(1) and to tell a stale handle from the current one. */
export function encodeReceiptHandle(
  queueId: number,
  seq: number,
  generation: number,
  run = RECEIPT_RUN,
): string {
  return `${run}-${queueId}-${seq}-${generation}`;
}

/** Undefined when the text is not a handle this emulator run issued. */
export function decodeReceiptHandle(handle: string, run = RECEIPT_RUN): ReceiptHandleParts | undefined {
  if (typeof handle !== 'string' || !handle.startsWith(run) || handle.charCodeAt(run.length) !== 45 /* - */) {
    return undefined;
  }
  const match = PARTS.exec(handle.slice(run.length + 1));
  if (match === null) return undefined;
  return { queueId: Number(match[1]), seq: Number(match[2]), generation: Number(match[3]) };
}
