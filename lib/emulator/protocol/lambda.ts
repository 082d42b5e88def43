/**
 * Lambda on the wire: REST-JSON under `/2015-03-31/`. Invoke (so `aws lambda invoke` and the SDK's
 * InvokeCommand work locally), GetFunction, GetFunctionConfiguration and ListFunctions.
 */
import { AwsError } from '../errors';
import { MAX_EVENT_NESTING, textNestsDeeperThan } from '../kit/json-nesting';
import {
  type InvocationType,
  type LambdaService,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
} from '../lambda/service';
import { header, type ServiceProtocol, type WireRequest, type WireResponse } from './router';

const API_PREFIX = '/2015-03-31/functions';
const INVOCATION_TYPES = new Set<string>(['RequestResponse', 'Event', 'DryRun']);
/** AWS (API reference, Invoke and GetFunction): FunctionName is 1 to 170 characters matching this pattern. */
const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const FUNCTION_NAME_MAX = 170;
// each optional part ends at a `:` the name part cannot hold: a failing match backtracks linearly, not worse
const FUNCTION_NAME = new RegExp(`^(?:${FUNCTION_NAME_PATTERN})$`);
/** AWS: Qualifier is 1 to 128 characters of `(|[a-zA-Z0-9$_-]+)`. */
const QUALIFIER = /^[a-zA-Z0-9$_-]{1,128}$/;
/** AWS: ListFunctions returns at most 50 functions a page; MaxItems is 1 to 10,000. */
const LIST_PAGE_MAX = 50;
const MAX_ITEMS_MAX = 10_000;

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
    const [encodedName = '', sub, ...extra] = rest.split('/');
    if (encodedName === '' && request.method === 'GET') return this.listFunctions(request);
    if (extra.length === 0 && encodedName !== '') {
      const name = functionNameOf(encodedName);
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

  /** ListFunctions, a page at a time: `Marker` is where the previous page ended. */
  private listFunctions(request: WireRequest): WireResponse {
    const maxItemsText = request.query.get('MaxItems');
    let pageSize = LIST_PAGE_MAX;
    if (maxItemsText !== null) {
      const maxItems = /^-?\d+$/.test(maxItemsText) ? Number(maxItemsText) : Number.NaN;
      if (!(maxItems >= 1 && maxItems <= MAX_ITEMS_MAX)) {
        const constraint = Number.isNaN(maxItems)
          ? 'Member must be an integer'
          : maxItems < 1
            ? 'Member must have value greater than or equal to 1'
            : `Member must have value less than or equal to ${MAX_ITEMS_MAX}`;
        throw validationException(
          `Value '${maxItemsText}' at 'maxItems' failed to satisfy constraint: ${constraint}`,
        );
      }
      pageSize = Math.min(maxItems, LIST_PAGE_MAX);
    }
    const all = this.lambda.listFunctions();
    const marker = request.query.get('Marker');
    const from = marker === null ? 0 : /^\d{1,9}$/.test(marker) ? Number(marker) : Number.NaN;
    if (!(from >= 0 && from <= all.length)) {
      throw new AwsError('InvalidParameterValueException', `Invalid Marker: ${marker}`);
    }
    const next = from + pageSize < all.length ? String(from + pageSize) : undefined;
    return json(request, 200, {
      Functions: all.slice(from, from + pageSize),
      ...(next !== undefined ? { NextMarker: next } : {}),
    });
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
    const qualifier = request.query.get('Qualifier') ?? undefined;
    if (qualifier !== undefined && !QUALIFIER.test(qualifier)) {
      throw validationException(
        `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`,
      );
    }
    let payload: unknown = {};
    if (request.body.length > 0) {
      const text = request.body.toString('utf8');
      // the event is cloned into the function's worker and stringified again: both recurse, so bound the depth
      const problem = textNestsDeeperThan(text, MAX_EVENT_NESTING)
        ? `the payload nests arrays and objects deeper than ${MAX_EVENT_NESTING} levels`
        : undefined;
      try {
        if (problem === undefined) payload = JSON.parse(text);
      } catch (error) {
        throw invalidContent((error as Error).message);
      }
      if (problem !== undefined) throw invalidContent(problem);
    }
    const output = await this.lambda.invoke(name, payload, type as InvocationType, {
      qualifier,
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
    if (!(error instanceof AwsError)) console.error('emulator: internal error in Lambda', error);
    // the cause goes to the emulator's own output: a reply never carries this machine's paths or internals
    const e =
      error instanceof AwsError
        ? error
        : new AwsError('ServiceException', 'The emulator failed; its output says why.', 500, 'Receiver');
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

/**
 * The function name of the path, decoded; checked as AWS checks it, so that a name that is not one (or whose
 * percent-encoding does not decode) is AWS's ValidationException, never a failure of the emulator.
 */
function functionNameOf(encoded: string): string {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    name = encoded; // a `%` that starts no escape: the raw text, which the pattern refuses
  }
  const problems: string[] = [];
  if (!FUNCTION_NAME.test(name)) {
    problems.push(
      `Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`,
    );
  }
  if (name.length > FUNCTION_NAME_MAX) {
    problems.push(
      `Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${FUNCTION_NAME_MAX}`,
    );
  }
  if (problems.length > 0) {
    throw new AwsError(
      'ValidationException',
      `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
    );
  }
  return name;
}

/** AWS's modeled-constraint error: `1 validation error detected: …`, HTTP 400. */
function validationException(problem: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: ${problem}`);
}

function invalidContent(detail: string): AwsError {
  return new AwsError(
    'InvalidRequestContentException',
    `Could not parse request body into json: Could not parse payload into json: ${detail}`,
  );
}

function json(request: WireRequest, status: number, body: unknown): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': request.requestId },
    body: JSON.stringify(body),
  };
}
