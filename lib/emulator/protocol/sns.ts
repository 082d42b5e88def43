/**
 * SNS on the wire: the AWS query protocol (form POST `Action=<Op>`, XML replies) as @aws-sdk/client-sns speaks it,
 * plus GET for the SubscribeURL and UnsubscribeURL links in notifications. Also the HTTP/S client that delivers
 * notifications to subscribed endpoints.
 */
import * as snsSdk from '@aws-sdk/client-sns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AwsError } from '../errors';
import { SnsService } from '../sns/service';
import { implementedOperations, RpcProtocol } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';

/** AWS: SNS waits 15 seconds for an HTTP/S endpoint to answer. */
const HTTP_DELIVERY_TIMEOUT_MS = 15_000;

const MODEL = serviceModelOf(snsSdk);

/** The operations this emulator implements: those of the model that SnsService has a method for. */
const OPERATIONS = implementedOperations(MODEL, SnsService.prototype);

/** Members of the SDK's input that the emulator refuses by name rather than drop (none: SNS honours all it reads). */
export const SNS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {};

/** The operations SNS answers, for the conformance test and the docs. */
export const SNS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/** SNS speaks the query protocol only (form POST `Action=<Op>`, XML replies), as @aws-sdk/client-sns does. */
export const SNS_WIRE = {
  serviceName: 'SNS',
  signingName: 'sns',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: SNS_UNSUPPORTED_MEMBERS,
  query: {
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    decode: {
      invalidValue: (_member: string, message: string) =>
        new AwsError('InvalidParameter', `Invalid parameter: ${message}`),
      invalidBlob: (key: string, get: (name: string) => string | null) =>
        new AwsError(
          'ParameterValueInvalid',
          `The message attribute '${get(`${key.slice(0, key.lastIndexOf('.Value.'))}.Name`) ?? ''}' has an invalid binary value.`,
        ),
    },
  },
  internalError: () => new AwsError('InternalError', 'An internal error occurred.', 500, 'Receiver'),
};

export class SnsProtocol extends RpcProtocol<SnsService> {
  constructor(sns: SnsService) {
    super(SNS_WIRE, sns);
  }
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
