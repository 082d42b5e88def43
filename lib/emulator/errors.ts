/** Who is to blame for an error, as AWS reports it (`<Type>` in XML, the suffix of `x-amzn-query-error`). */
export type ErrorFault = 'Sender' | 'Receiver';

/**
 * The only error type emulated services throw. `code` is the AWS error code as the query protocol
 * reports it (for example `AWS.SimpleQueueService.NonExistentQueue`); each wire protocol renders it.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    readonly fault: ErrorFault = 'Sender',
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** Shorthand for the most common error: AWS's `InvalidParameterValue`. */
export function invalidParameterValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

/** AWS's `MissingParameter`: "The request must contain the parameter X." */
export function missingParameter(name: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${name}.`);
}
