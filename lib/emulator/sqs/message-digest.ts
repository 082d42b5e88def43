import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { MessageAttributes } from './model';

// crypto.hash (Node >= 20.12) digests a string in one call, three times faster than a Hash object for
// small messages: the MD5 of every message body is on the hot path of SendMessage.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function md5Hex(text: string): string {
  return oneShot ? oneShot('md5', text, 'hex') : createHash('md5').update(text, 'utf8').digest('hex');
}

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * MD5OfMessageAttributes as AWS computes it: attributes sorted by name; for each, the name, the data type
 * (each as a 4-byte big-endian length and UTF-8 bytes), a transport byte (1 string, 2 binary) and the value.
 */
export function md5OfMessageAttributes(attributes: MessageAttributes): string {
  const hash = createHash('md5');
  const names = Object.keys(attributes).sort();
  for (const name of names) {
    const value = attributes[name];
    updateLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    updateLengthPrefixed(hash, Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      hash.update(Uint8Array.of(2));
      updateLengthPrefixed(hash, value.BinaryValue);
    } else {
      hash.update(Uint8Array.of(1));
      updateLengthPrefixed(hash, Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function updateLengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Uint8Array): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}
