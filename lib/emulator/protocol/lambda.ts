/**
 * Lambda on the wire: REST-JSON as @aws-sdk/client-lambda speaks it, routed, read and written from the SDK's own
 * model (codec/http-bindings.ts, codec/rest-json.ts). Invoke (so `aws lambda invoke` and the SDK's InvokeCommand
 * work locally), GetFunction, GetFunctionConfiguration and ListFunctions; the model's other operations answer a
 * 400 that names them.
 */
import * as lambdaSdk from '@aws-sdk/client-lambda';
import { AwsError } from '../errors';
import { MAX_EVENT_NESTING, textNestsDeeperThan } from '../kit/json-nesting';
import { pageOf } from '../kit/pagination';
import {
  type InvocationType,
  type LambdaService,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
} from '../lambda/service';
import { type BoundValueKind, HttpRouteTable } from './codec/http-bindings';
import {
  decodeRestJsonInput,
  encodeRestJsonError,
  encodeRestJsonOutput,
  type RestJsonDecodeOptions,
} from './codec/rest-json';
import { serviceModelOf } from './codec/service-model';
import type { ServiceProtocol, WireRequest, WireResponse } from './router';

/** The SDK's own model of Lambda: routes, bound members, JSON names and error shapes. */
const MODEL = serviceModelOf(lambdaSdk);
const ROUTES = new HttpRouteTable(MODEL);

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

/** An input as the SDK's model shapes it (the codec checked each member's type). */
type Input = Record<string, unknown> & { readonly Qualifier?: string };
type Call = (lambda: LambdaService, input: Input, request: WireRequest) => unknown;

/** The operations this emulator implements: one service method each. */
const OPERATIONS: Record<string, Call> = {
  Invoke: invoke,
  GetFunction: (l, i) => {
    const configuration = l.getFunction(functionNameOf(i), qualifierOf(i));
    const codeDirectory = l.runtime.configuration(configuration.FunctionName)?.codeDirectory ?? '';
    return {
      Configuration: configuration,
      Code: { RepositoryType: 'S3', Location: `file://${codeDirectory}` },
    };
  },
  GetFunctionConfiguration: (l, i) => l.getFunction(functionNameOf(i), qualifierOf(i)),
  ListFunctions: listFunctions,
};

/** The operations Lambda answers, for the conformance test and the docs. */
export const LAMBDA_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/** Members of the SDK's input that the emulator refuses by name rather than drop. */
export const LAMBDA_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // the emulated runtime hands functions no client context, tenant or durable execution
  Invoke: ['ClientContext', 'DurableExecutionName', 'TenantId'],
  // Lambda@Edge replicas: there are none locally
  ListFunctions: ['MasterRegion'],
};

const DECODE: RestJsonDecodeOptions = {
  invalidValue: (member, _message, value, expected) =>
    validationException(
      `Value '${value}' at '${camel(member)}' failed to satisfy constraint: ${EXPECTED[expected]}`,
    ),
  invalidJson: (detail) => invalidContent(detail),
};

const EXPECTED: Record<BoundValueKind, string> = {
  number: 'Member must be an integer',
  boolean: 'Member must be a boolean',
  timestamp: 'Member must be a timestamp',
  base64: 'Member must be base64-encoded',
};

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
      const match = ROUTES.match(request.method, request.path, request.query, request.headers);
      if (!match) {
        throw new AwsError(
          'UnknownOperationException',
          `The emulator does not implement ${request.method} ${request.path}`,
          404,
        );
      }
      const name = match.operation.name;
      const call = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!call) {
        throw new AwsError('UnknownOperationException', `${name} is not supported by the local emulator.`);
      }
      const input = decodeRestJsonInput(match.operation, { ...request, labels: match.labels }, DECODE);
      for (const member of LAMBDA_UNSUPPORTED_MEMBERS[name] ?? []) {
        if (input[member] !== undefined) {
          throw new AwsError(
            'InvalidParameterValueException',
            `${member} is not supported by the local emulator.`,
          );
        }
      }
      const output = (await call(this.lambda, input, request)) as Record<string, unknown> & {
        requestId?: string;
      };
      const reply = encodeRestJsonOutput(match.operation, output);
      const headers: Record<string, string> = {
        ...reply.headers,
        'x-amzn-requestid': output.requestId ?? request.requestId,
      };
      // AWS: Invoke's payload (a blob in the model) is the function's result as JSON, and says so
      if (name === 'Invoke' && reply.body.length > 0) headers['content-type'] = 'application/json';
      return { ...reply, headers };
    } catch (error) {
      return this.error(request, error);
    }
  }

  /** REST-JSON errors: the code in `x-amzn-ErrorType`, a body with `Type` and the message. */
  private error(request: WireRequest, error: unknown): WireResponse {
    if (!(error instanceof AwsError)) console.error('emulator: internal error in Lambda', error);
    // the cause goes to the emulator's own output: a reply never carries this machine's paths or internals
    const e =
      error instanceof AwsError
        ? error
        : new AwsError('ServiceException', 'The emulator failed; its output says why.', 500, 'Receiver');
    const reply = encodeRestJsonError(e, MODEL, { faultMember: 'Type' });
    return { ...reply, headers: { ...reply.headers, 'x-amzn-requestid': request.requestId } };
  }
}

async function invoke(lambda: LambdaService, input: Input, request: WireRequest): Promise<unknown> {
  const name = functionNameOf(input);
  const type = (input.InvocationType as string | undefined) ?? 'RequestResponse';
  if (!INVOCATION_TYPES.has(type)) {
    throw new AwsError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
    );
  }
  const logType = input.LogType as string | undefined;
  if (logType !== undefined && logType !== 'None' && logType !== 'Tail') {
    throw new AwsError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`,
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
  const qualifier = qualifierOf(input);
  const payload = input.Payload === undefined ? {} : parsePayload(input.Payload as Buffer);
  const output = await lambda.invoke(name, payload, type as InvocationType, {
    qualifier,
    tail: logType === 'Tail',
  });
  return {
    requestId: output.requestId,
    StatusCode: output.statusCode,
    FunctionError: output.functionError,
    LogResult: output.log,
    ExecutedVersion: output.executedVersion,
    // AWS: only a synchronous invocation has a payload (and an error's payload is Lambda's error object)
    Payload: output.statusCode === 200 ? Buffer.from(JSON.stringify(output.payload ?? null)) : undefined,
  };
}

function parsePayload(body: Buffer): unknown {
  // the event is cloned into the function's worker and stringified again: both recurse, so bound the depth
  if (textNestsDeeperThan(body, MAX_EVENT_NESTING)) {
    throw invalidContent(`the payload nests arrays and objects deeper than ${MAX_EVENT_NESTING} levels`);
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidContent((error as Error).message);
  }
}

/** ListFunctions, a page at a time: `Marker` is where the previous page ended. */
function listFunctions(lambda: LambdaService, input: Input): unknown {
  const maxItems = input.MaxItems as number | undefined;
  if (maxItems !== undefined && !(Number.isInteger(maxItems) && maxItems >= 1 && maxItems <= MAX_ITEMS_MAX)) {
    const constraint = !Number.isInteger(maxItems)
      ? 'Member must be an integer'
      : maxItems < 1
        ? 'Member must have value greater than or equal to 1'
        : `Member must have value less than or equal to ${MAX_ITEMS_MAX}`;
    throw validationException(
      `Value '${maxItems}' at 'maxItems' failed to satisfy constraint: ${constraint}`,
    );
  }
  const version = input.FunctionVersion as string | undefined;
  if (version !== undefined && version !== 'ALL') {
    throw validationException(
      `Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
    );
  }
  // FunctionVersion ALL adds the published versions: locally there are none, only $LATEST
  const marker = input.Marker as string | undefined;
  const page = pageOf(lambda.listFunctions(), {
    pageSize: Math.min(maxItems ?? LIST_PAGE_MAX, LIST_PAGE_MAX),
    token: marker,
    invalidToken: () => new AwsError('InvalidParameterValueException', `Invalid Marker: ${marker}`),
  });
  return { Functions: page.items, NextMarker: page.nextToken };
}

/** The function name of the path, checked as AWS checks it (a name that is not one is a ValidationException). */
function functionNameOf(input: Input): string {
  const name = String(input.FunctionName ?? '');
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

function qualifierOf(input: Input): string | undefined {
  const qualifier = input.Qualifier;
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) {
    throw validationException(
      `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`,
    );
  }
  return qualifier;
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

/** AWS names members in validation messages in camel case (`maxItems`). */
function camel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
