/**
 * Lambda on the wire: REST-JSON under `/2015-03-31/`. Invoke (so `aws lambda invoke` and the SDK's
 * InvokeCommand work locally), GetFunction, GetFunctionConfiguration and ListFunctions.
 */
import { AwsError } from '../errors';
import {
  type InvocationType,
  type LambdaService,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
} from '../lambda/service';
import { header, type ServiceProtocol, type WireRequest, type WireResponse } from './router';

const API_PREFIX = '/2015-03-31/functions';
const INVOCATION_TYPES = new Set<string>(['RequestResponse', 'Event', 'DryRun']);

export class LambdaProtocol implements ServiceProtocol {
  readonly signingName = 'lambda';

  constructor(private readonly lambda: LambdaService) {}

  ownsPath(path: string): boolean {
    return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
  }

  tooLarge(request: WireRequest, limit: number): WireResponse {
    return this.error(
      request,
      new AwsError(
        'RequestTooLargeException',
        `Request must be smaller than ${Math.min(limit, MAX_SYNC_PAYLOAD_BYTES)} bytes for the InvokeFunction operation`,
        413,
      ),
    );
  }

  async handle(request: WireRequest): Promise<WireResponse> {
    try {
      return await this.route(request);
    } catch (error) {
      return this.error(request, error);
    }
  }

  private async route(request: WireRequest): Promise<WireResponse> {
    const rest = request.path.slice(API_PREFIX.length).replace(/^\//, '');
    const [encodedName, sub, ...extra] = rest.split('/');
    const name = decodeURIComponent(encodedName ?? '');
    if (name === '' && request.method === 'GET') {
      return json(request, 200, { Functions: this.lambda.listFunctions() });
    }
    if (extra.length === 0 && name !== '') {
      if (request.method === 'POST' && sub === 'invocations') return this.invoke(request, name);
      if (request.method === 'GET' && sub === undefined) {
        const configuration = this.lambda.getFunction(name);
        return json(request, 200, {
          Configuration: configuration,
          Code: {
            RepositoryType: 'S3',
            Location: `file://${this.lambda.runtime.configuration(configuration.FunctionName)?.codeDirectory ?? ''}`,
          },
        });
      }
      if (request.method === 'GET' && sub === 'configuration') {
        return json(request, 200, this.lambda.getFunction(name));
      }
    }
    throw new AwsError(
      'UnknownOperationException',
      `The emulator does not implement ${request.method} ${request.path}`,
      404,
    );
  }

  private async invoke(request: WireRequest, name: string): Promise<WireResponse> {
    const type = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!INVOCATION_TYPES.has(type)) {
      throw new AwsError(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (request.body.length > limit) {
      throw new AwsError(
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'InvokeAsync' : 'InvokeFunction'} operation`,
        413,
      );
    }
    let payload: unknown = {};
    if (request.body.length > 0) {
      try {
        payload = JSON.parse(request.body.toString('utf8'));
      } catch (error) {
        throw new AwsError(
          'InvalidRequestContentException',
          `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
        );
      }
    }
    const output = await this.lambda.invoke(name, payload, type as InvocationType, {
      qualifier: request.query.get('Qualifier') ?? undefined,
      tail: header(request, 'x-amz-log-type') === 'Tail',
    });
    const headers: Record<string, string> = { 'x-amzn-requestid': output.requestId };
    if (output.executedVersion) headers['x-amz-executed-version'] = output.executedVersion;
    if (output.functionError) headers['x-amz-function-error'] = output.functionError;
    if (output.log !== undefined) headers['x-amz-log-result'] = output.log;
    if (output.statusCode !== 200) return { status: output.statusCode, headers, body: '' };
    headers['content-type'] = 'application/json';
    return { status: 200, headers, body: JSON.stringify(output.payload ?? null) };
  }

  /** REST-JSON errors: the code in `x-amzn-ErrorType`, a body with `Type` and `message`. */
  private error(request: WireRequest, error: unknown): WireResponse {
    const e =
      error instanceof AwsError
        ? error
        : new AwsError(
            'ServiceException',
            `The emulator failed: ${(error as Error).message}`,
            500,
            'Receiver',
          );
    return {
      status: e.httpStatus,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': e.code,
        'x-amzn-requestid': request.requestId,
      },
      body: JSON.stringify({ Type: e.fault === 'Sender' ? 'User' : 'Service', message: e.message }),
    };
  }
}

function json(request: WireRequest, status: number, body: unknown): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': request.requestId },
    body: JSON.stringify(body),
  };
}
