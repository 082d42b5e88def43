/** FIFO identifiers (MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId) as SQS and SNS check them. */
import type { AwsError } from '../errors';

// AWS: 1 to 128 alphanumeric or punctuation characters, that is printable ASCII without the space
const FIFO_TOKEN = /^[\x21-\x7e]{1,128}$/;

/** Throws what `invalid` builds (each service words its own error) unless `value` is a valid FIFO token. */
export function validateFifoToken(
  parameter: string,
  value: string,
  invalid: (parameter: string, value: string, reason: string) => AwsError,
): void {
  if (!FIFO_TOKEN.test(value)) {
    throw invalid(
      parameter,
      value,
      `${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}
