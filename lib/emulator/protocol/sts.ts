/**
 * STS on the wire: the AWS query protocol (form POST `Action=<Op>&Version=2011-06-15`, XML replies) as
 * @aws-sdk/client-sts speaks it, and presigned GetCallerIdentity URLs (GET with the query). The caller is read
 * from the SigV4 credential (header or presigned query), so GetCallerIdentity answers who signed.
 */
import * as stsSdk from '@aws-sdk/client-sts';
import { AwsError } from '../errors';
import { type RequestCaller, StsService } from '../sts/service';
import { implementedOperations, RpcProtocol, type RpcServiceWire } from './codec/rpc-protocol';
import { serviceModelOf } from './codec/service-model';
import { header, type WireRequest } from './router';

const MODEL = serviceModelOf(stsSdk);

/** The operations this emulator implements: those of the model that StsService has a method for. */
const OPERATIONS = implementedOperations(MODEL, StsService.prototype, {
  GetCallerIdentity: (s, i, r) => s.getCallerIdentity(i, callerOf(r)),
  AssumeRole: (s, i, r) => s.assumeRole(i, callerOf(r)),
  GetSessionToken: (s, i, r) => s.getSessionToken(i, callerOf(r)),
});

/** Members of the SDK's input the emulator refuses by name rather than drop. */
export const STS_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // trusted context assertions are signed by AWS's own context providers (IAM Identity Center): none run locally
  AssumeRole: ['ProvidedContexts'],
};

/** The operations STS answers, for the conformance test and the docs. */
export const STS_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export const STS_WIRE: RpcServiceWire<StsService> = {
  serviceName: 'STS',
  signingName: 'sts',
  model: MODEL,
  operations: OPERATIONS,
  unsupported: STS_UNSUPPORTED_MEMBERS,
  query: {
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    decode: {
      invalidValue: (_member: string, message: string) => new AwsError('ValidationError', message),
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

export class StsProtocol extends RpcProtocol<StsService> {
  constructor(sts: StsService) {
    super(STS_WIRE, sts);
  }
}

/** Longest access key id read from a request; AWS's are 16 to 128 characters. */
const MAX_ACCESS_KEY_ID = 128;

/** The signer of a request: the access key id of its SigV4 `Credential=AKID/DATE/REGION/sts/aws4_request`. */
export function callerOf(request: WireRequest): RequestCaller {
  const authorization = header(request, 'authorization');
  let credential: string | undefined;
  if (authorization !== undefined) {
    const start = authorization.indexOf('Credential=');
    if (start >= 0) credential = authorization.slice(start + 11, start + 11 + MAX_ACCESS_KEY_ID + 1);
  } else {
    credential = request.query.get('X-Amz-Credential')?.slice(0, MAX_ACCESS_KEY_ID + 1);
  }
  const slash = credential?.indexOf('/') ?? -1;
  return slash > 0 ? { accessKeyId: credential!.slice(0, slash) } : {};
}
