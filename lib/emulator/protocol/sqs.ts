/**
 * SQS on the wire: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`, what SDK v3 and current CLIs speak) and the
 * older query protocol (form POST `Action=<Op>` to `/` or to a queue URL, XML replies), both read and written
 * from @aws-sdk/client-sqs's model by the shared codecs.
 */
import * as sqsSdk from '@aws-sdk/client-sqs';
import { AwsError, invalidParameterValue } from '../errors';
import { SqsService } from '../sqs/service';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';
import type { WireRequest } from './router';

const MODEL = serviceModelOf(sqsSdk);

/** The operations this emulator implements: those of the model that SqsService has a method for. */
const OPERATIONS = implementedOperations(MODEL, SqsService.prototype, {
  ReceiveMessage: (s, i, r) => s.receiveMessage(i, { signal: r.signal }),
});

/**
 * Members of the SDK's input that the emulator refuses by name rather than drop: none, SQS honours every member
 * of the operations it answers. (Message attributes' StringListValues and BinaryListValues, which AWS reserves,
 * are refused by the service with AWS's wording.)
 */
export const SQS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {};

/** The operations SQS answers, for the conformance test and the docs. */
export const SQS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/** The member a form key names: `SendMessageBatchRequestEntry.2.DelaySeconds` → `DelaySeconds`. */
function memberOf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

export const SQS_WIRE: RpcServiceWire<SqsService> = {
  serviceName: 'SQS',
  signingName: 'sqs',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: SQS_UNSUPPORTED_MEMBERS,
  query: {
    xmlns: 'http://queue.amazonaws.com/doc/2012-11-05/',
    decode: {
      // SQS's only scalar inputs besides strings are integers: AWS words a malformed one so
      invalidValue: (key, message, text) =>
        text === undefined
          ? invalidParameterValue(message)
          : invalidParameterValue(
              `Value ${text} for parameter ${memberOf(key)} is invalid. Reason: Must be an integer.`,
            ),
      invalidBlob: (key, get) =>
        invalidParameterValue(
          `Value for message attribute ${get(`${key.slice(0, key.lastIndexOf('.Value.'))}.Name`) ?? ''} is not valid base64.`,
        ),
    },
  },
  json: {
    targetPrefix: 'AmazonSQS',
    contentType: 'application/x-amz-json-1.0',
    errors: {
      namespace: 'com.amazonaws.sqs',
      queryCompatible: true,
      // codes of AWS's front end that the model has no shape for
      extraTypes: {
        InvalidParameterValue: 'com.amazonaws.sqs#InvalidParameterValueException',
        MissingParameter: 'com.amazonaws.sqs#MissingRequiredParameterException',
      },
    },
  },
  internalError: () =>
    new AwsError(
      'InternalFailure',
      'The request processing has failed because of an unknown error.',
      500,
      'Receiver',
    ),
};

/** A queue URL's path: `/<account id>/<queue name>`. */
const QUEUE_PATH = /^\/(\d{12})\/([^/]+)\/?$/;

export class SqsProtocol extends RpcProtocol<SqsService> {
  constructor(sqs: SqsService) {
    super(SQS_WIRE, sqs);
  }

  /** Query-protocol clients POST to the queue URL itself. */
  ownsPath(path: string): boolean {
    return QUEUE_PATH.test(path);
  }

  /** The query protocol may address the queue by the request path instead of a QueueUrl parameter. */
  protected override completeQueryInput(input: Record<string, unknown>, request: WireRequest): void {
    if (input.QueueUrl === undefined && QUEUE_PATH.test(request.path)) input.QueueUrl = request.path;
  }

  /** AWS: the query protocol still words a missing queue as in its first API version. */
  protected override queryErrorOf(error: AwsError): AwsError {
    return error.code === 'AWS.SimpleQueueService.NonExistentQueue'
      ? new AwsError(
          error.code,
          'The specified queue does not exist for this wsdl version.',
          error.httpStatus,
          error.fault,
        )
      : error;
  }
}
