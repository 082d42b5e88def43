/**
 * SNS on the wire: the AWS query protocol (form POST `Action=<Op>`, XML replies) as @aws-sdk/client-sns speaks it,
 * plus GET for the SubscribeURL and UnsubscribeURL links in notifications. Also the HTTP/S client that delivers
 * notifications to subscribed endpoints.
 */
import * as snsSdk from '@aws-sdk/client-sns';
import {
  decodeQueryInput,
  encodeQueryError,
  encodeQueryResponse,
  IndexedForm,
  type QueryDecodeOptions,
  refuseUnsupported,
} from './codec/query';
import { serviceModelOf } from './codec/service-model';
import { QueryForm } from './query-form';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AwsError } from '../errors';
import type { SnsService } from '../sns/service';
import { type ServiceProtocol, type WireRequest, type WireResponse } from './router';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** AWS: SNS waits 15 seconds for an HTTP/S endpoint to answer. */
const HTTP_DELIVERY_TIMEOUT_MS = 15_000;

/** The SDK's own model of SNS: member names, XML names and flattening for every operation. */
const MODEL = serviceModelOf(snsSdk);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the codec hands over input shaped by the SDK's schema
type Call = (sns: SnsService, input: any) => unknown;

/** The operations this emulator implements: one service method each. */
const OPERATIONS: Record<string, Call> = {
  CreateTopic: (s, i) => s.createTopic(i),
  DeleteTopic: (s, i) => s.deleteTopic(i),
  ListTopics: (s, i) => s.listTopics(i),
  GetTopicAttributes: (s, i) => s.getTopicAttributes(i),
  SetTopicAttributes: (s, i) => s.setTopicAttributes(i),
  Subscribe: (s, i) => s.subscribe(i),
  ConfirmSubscription: (s, i) => s.confirmSubscription(i),
  Unsubscribe: (s, i) => s.unsubscribe(i),
  ListSubscriptions: (s, i) => s.listSubscriptions(i),
  ListSubscriptionsByTopic: (s, i) => s.listSubscriptionsByTopic(i),
  GetSubscriptionAttributes: (s, i) => s.getSubscriptionAttributes(i),
  SetSubscriptionAttributes: (s, i) => s.setSubscriptionAttributes(i),
  Publish: (s, i) => s.publish(i),
  PublishBatch: (s, i) => s.publishBatch(i),
  TagResource: (s, i) => s.tagResource(i),
  UntagResource: (s, i) => s.untagResource(i),
  ListTagsForResource: (s, i) => s.listTagsForResource(i),
};

/** Members of the SDK's input that the emulator refuses by name rather than drop (none: SNS honours all it reads). */
export const SNS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {};

const DECODE: QueryDecodeOptions = {
  invalidValue: (_member, message) => new AwsError('InvalidParameter', `Invalid parameter: ${message}`),
  invalidBlob: (key, get) =>
    new AwsError(
      'ParameterValueInvalid',
      `The message attribute '${get(`${key.slice(0, key.lastIndexOf('.Value.'))}.Name`) ?? ''}' has an invalid binary value.`,
    ),
};

/** The operations SNS answers, for the conformance test and the docs. */
export const SNS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export class SnsProtocol implements ServiceProtocol {
  readonly signingName = 'sns';
  readonly queryActions: ReadonlySet<string> = new Set(SNS_OPERATIONS);

  constructor(private readonly sns: SnsService) {}

  async handle(request: WireRequest): Promise<WireResponse> {
    try {
      const params = QueryForm.fromRequest(request);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const call = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      const operation = MODEL.operations.get(action);
      if (!call || !operation) {
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      }
      const input = decodeQueryInput(operation, new IndexedForm(params), DECODE);
      refuseUnsupported(input, SNS_UNSUPPORTED_MEMBERS[action], DECODE);
      const result = await call(this.sns, input);
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: encodeQueryResponse(operation, result ?? {}, XMLNS, request.requestId),
      };
    } catch (error) {
      const aws = asAwsError(error);
      return {
        status: aws.httpStatus,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: encodeQueryError(aws, XMLNS, request.requestId),
      };
    }
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in SNS', error);
  return new AwsError('InternalError', 'An internal error occurred.', 500, 'Receiver');
}

// ----- HTTP/S delivery ----------------------------------------------------------------------------------------

/**
 * POSTs one notification to a subscriber endpoint; resolves with the status, rejects on no answer. With
 * `connectTo`, the socket goes to that address (checked by the SNS service) whatever the host name resolves to
 * now; the Host header and TLS server name still come from the URL.
 */
export function postHttpNotification(
  url: string,
  headers: Record<string, string>,
  body: string,
  connectTo?: { readonly address: string; readonly family: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const lookup: LookupFunction | undefined = connectTo
      ? (_hostname, options, callback) => {
          if (options.all) callback(null, [{ address: connectTo.address, family: connectTo.family }]);
          else callback(null, connectTo.address, connectTo.family);
        }
      : undefined;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: HTTP_DELIVERY_TIMEOUT_MS,
        ...(lookup ? { lookup } : {}),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
