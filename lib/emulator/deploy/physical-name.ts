/** Names for resources the template leaves unnamed, in CloudFormation's `Stack-LogicalId-SUFFIX` shape. */
import { createHash } from 'node:crypto';

export interface PhysicalNameOptions {
  /** The service's length limit for the name. */
  readonly maxLength: number;
  /** S3 buckets: lowercase only. */
  readonly lowercase?: boolean;
  /** FIFO queues and topics: the name must end in `.fifo`. */
  readonly suffix?: string;
}

const SUFFIX_LENGTH = 12;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * `decoupled-sandbox-pipeline-WorkQueue12AB34CD-0KX7P2QZ1M3N`. Where CloudFormation appends a random suffix,
 * this one is derived from the stack and logical id, so every local deployment of the same template gets the
 * same names and URLs; stack name and logical id are shortened (not the suffix) to fit `maxLength`.
 */
export function physicalName(
  stackName: string,
  logicalId: string,
  options: PhysicalNameOptions,
  variant = '',
): string {
  // a replacement (or a stack created anew) gets names of its own, as CloudFormation's random suffix gives it
  const seed = variant === '' ? `${stackName}/${logicalId}` : `${stackName}/${logicalId}/${variant}`;
  const digest = createHash('sha256').update(seed).digest();
  const random = Array.from(
    digest.subarray(0, SUFFIX_LENGTH),
    (byte) => ALPHABET[byte % ALPHABET.length],
  ).join('');
  const end = `-${random}${options.suffix ?? ''}`;
  const room = options.maxLength - end.length - 1;
  let stack = stackName;
  let id = logicalId;
  while (stack.length + id.length > room) {
    if (stack.length >= id.length) stack = stack.slice(0, -1);
    else id = id.slice(0, -1);
  }
  const name = `${stack}-${id}${end}`;
  return options.lowercase ? name.toLowerCase() : name;
}
