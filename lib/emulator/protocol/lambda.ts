/**
 * Lambda on the wire: REST-JSON as @aws-sdk/client-lambda speaks it, routed, read and written from the SDK's own
 * model (codec/http-bindings.ts, codec/rest-json.ts). Invoke, and the control plane `cdk deploy`, `cdk watch
 * --hotswap` and users call: functions (create, code and configuration updates, delete), versions, aliases, SQS
 * event source mappings and resource policies. The model's other operations answer a 400 that names them, and
 * every input member an operation does not honour is refused by name. GetFunction's Code.Location is served
 * here too (a URL under /2015-03-31/functions-code/, as AWS's is a presigned S3 URL).
 */
import { readFileSync } from 'node:fs';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import { AwsError } from '../errors';
import { MAX_EVENT_NESTING, textNestsDeeperThan } from '../kit/json-nesting';
import { pageOf } from '../kit/pagination';
import {
  CODE_LOCATION_PREFIX,
  type EventSourceMappingUpdate,
  type FunctionCode,
  type InvocationType,
  type LambdaService,
  type LoggingConfigInput,
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
import type { CallSummary, ServiceProtocol, WireRequest, WireResponse } from './router';

/** The SDK's own model of Lambda: routes, bound members, JSON names and error shapes. */
const MODEL = serviceModelOf(lambdaSdk);
const ROUTES = new HttpRouteTable(MODEL);

const API_PREFIX = '/2015-03-31/functions';
const MAPPINGS_PREFIX = '/2015-03-31/event-source-mappings';
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
  CreateFunction: createFunction,
  GetFunction: (l, i) => {
    const name = functionNameOf(i);
    const qualifier = qualifierOf(i);
    const configuration = l.getFunction(name, qualifier);
    const code = l.getFunctionCode(name, qualifier);
    return {
      Configuration: configuration,
      Code: { RepositoryType: 'S3', Location: code.location },
      ...(Object.keys(code.tags).length > 0 ? { Tags: code.tags } : {}),
    };
  },
  GetFunctionConfiguration: (l, i) => l.getFunction(functionNameOf(i), qualifierOf(i)),
  ListFunctions: listFunctions,
  DeleteFunction: (l, i) => l.deleteFunction(functionNameOf(i), qualifierOf(i)),
  UpdateFunctionCode: (l, i) =>
    l.updateFunctionCode(functionNameOf(i), {
      code: codeOf(i),
      publish: i.Publish as boolean | undefined,
      dryRun: i.DryRun as boolean | undefined,
      revisionId: i.RevisionId as string | undefined,
      architectures: i.Architectures as string[] | undefined,
    }),
  UpdateFunctionConfiguration: (l, i) =>
    l.updateFunctionConfiguration(functionNameOf(i), {
      role: i.Role as string | undefined,
      handler: i.Handler as string | undefined,
      description: i.Description as string | undefined,
      timeout: i.Timeout as number | undefined,
      memorySize: i.MemorySize as number | undefined,
      environment: variablesOf(i),
      runtime: i.Runtime as string | undefined,
      revisionId: i.RevisionId as string | undefined,
      loggingConfig: loggingConfigOf(i),
    }),
  PublishVersion: (l, i) =>
    l.publishVersion(functionNameOf(i), {
      codeSha256: i.CodeSha256 as string | undefined,
      description: i.Description as string | undefined,
      revisionId: i.RevisionId as string | undefined,
    }),
  ListVersionsByFunction: (l, i) => {
    const page = pageOfItems(l.listVersionsByFunction(functionNameOf(i)), i);
    return { Versions: page.items, NextMarker: page.nextToken };
  },
  CreateAlias: (l, i) =>
    l.createAlias(functionNameOf(i), {
      name: String(i.Name),
      functionVersion: String(i.FunctionVersion),
      description: i.Description as string | undefined,
    }),
  GetAlias: (l, i) => l.getAlias(functionNameOf(i), String(i.Name)),
  UpdateAlias: (l, i) =>
    l.updateAlias(functionNameOf(i), String(i.Name), {
      functionVersion: i.FunctionVersion as string | undefined,
      description: i.Description as string | undefined,
      revisionId: i.RevisionId as string | undefined,
    }),
  DeleteAlias: (l, i) => l.deleteAlias(functionNameOf(i), String(i.Name)),
  ListAliases: (l, i) => {
    const all = l.listAliases(functionNameOf(i), i.FunctionVersion as string | undefined);
    const page = pageOfItems(all, i);
    return { Aliases: page.items, NextMarker: page.nextToken };
  },
  CreateEventSourceMapping: (l, i) => {
    const uuid = l.createEventSourceMapping({
      eventSourceArn: String(i.EventSourceArn ?? ''),
      functionName: functionNameOf(i),
      ...mappingSettingsOf(i),
    });
    return l.getEventSourceMapping(uuid);
  },
  GetEventSourceMapping: (l, i) => l.getEventSourceMapping(String(i.UUID)),
  UpdateEventSourceMapping: (l, i) =>
    l.updateEventSourceMapping(String(i.UUID), {
      ...(i.FunctionName !== undefined ? { functionName: functionNameOf(i) } : {}),
      ...mappingSettingsOf(i),
    }),
  DeleteEventSourceMapping: (l, i) => l.deleteEventSourceMapping(String(i.UUID)),
  ListEventSourceMappings: (l, i) => {
    const all = l.listEventSourceMappings({
      eventSourceArn: i.EventSourceArn as string | undefined,
      functionName: i.FunctionName !== undefined ? functionNameOf(i) : undefined,
    });
    const page = pageOfItems(all, i);
    return { EventSourceMappings: page.items, NextMarker: page.nextToken };
  },
  AddPermission: (l, i) => ({
    Statement: l.addPermission(functionNameOf(i), {
      statementId: String(i.StatementId),
      action: String(i.Action),
      principal: String(i.Principal),
      sourceArn: i.SourceArn as string | undefined,
      sourceAccount: i.SourceAccount as string | undefined,
      principalOrgId: i.PrincipalOrgID as string | undefined,
      eventSourceToken: i.EventSourceToken as string | undefined,
      functionUrlAuthType: i.FunctionUrlAuthType as string | undefined,
      qualifier: qualifierOf(i),
      revisionId: i.RevisionId as string | undefined,
    }).statement,
  }),
  RemovePermission: (l, i) =>
    l.removePermission(
      functionNameOf(i),
      String(i.StatementId),
      qualifierOf(i),
      i.RevisionId as string | undefined,
    ),
  GetPolicy: (l, i) => {
    const { policy, revisionId } = l.getPolicy(functionNameOf(i), qualifierOf(i));
    return { Policy: policy, RevisionId: revisionId };
  },
};

/** The operations Lambda answers, for the conformance test and the docs. */
export const LAMBDA_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/**
 * The input members each control-plane operation honours; every other member of the model's input is refused
 * by name (a VPC, layers, a dead-letter queue… are not emulated).
 */
const HONOURED: Readonly<Record<string, readonly string[]>> = {
  CreateFunction: [
    'FunctionName',
    'Runtime',
    'Role',
    'Handler',
    'Code',
    'Description',
    'Timeout',
    'MemorySize',
    'Publish',
    'PackageType',
    'Environment',
    'Tags',
    'Architectures',
    'LoggingConfig',
  ],
  UpdateFunctionCode: [
    'FunctionName',
    'ZipFile',
    'S3Bucket',
    'S3Key',
    'S3ObjectVersion',
    'ImageUri',
    'Publish',
    'DryRun',
    'RevisionId',
    'Architectures',
  ],
  UpdateFunctionConfiguration: [
    'FunctionName',
    'Role',
    'Handler',
    'Description',
    'Timeout',
    'MemorySize',
    'Environment',
    'Runtime',
    'RevisionId',
    'LoggingConfig',
  ],
  PublishVersion: ['FunctionName', 'CodeSha256', 'Description', 'RevisionId'],
  CreateAlias: ['FunctionName', 'Name', 'FunctionVersion', 'Description'],
  UpdateAlias: ['FunctionName', 'Name', 'FunctionVersion', 'Description', 'RevisionId'],
  CreateEventSourceMapping: [
    'EventSourceArn',
    'FunctionName',
    'Enabled',
    'BatchSize',
    'FilterCriteria',
    'MaximumBatchingWindowInSeconds',
    'FunctionResponseTypes',
    'ScalingConfig',
    // Kinesis sources (lambda/kinesis-event-source.ts)
    'StartingPosition',
    'StartingPositionTimestamp',
    'BisectBatchOnFunctionError',
    'MaximumRetryAttempts',
    'MaximumRecordAgeInSeconds',
    'DestinationConfig',
  ],
  UpdateEventSourceMapping: [
    'UUID',
    'FunctionName',
    'Enabled',
    'BatchSize',
    'FilterCriteria',
    'MaximumBatchingWindowInSeconds',
    'FunctionResponseTypes',
    'ScalingConfig',
    'BisectBatchOnFunctionError',
    'MaximumRetryAttempts',
    'MaximumRecordAgeInSeconds',
    'DestinationConfig',
  ],
  AddPermission: [
    'FunctionName',
    'StatementId',
    'Action',
    'Principal',
    'SourceArn',
    'SourceAccount',
    'EventSourceToken',
    'Qualifier',
    'RevisionId',
    'PrincipalOrgID',
    'FunctionUrlAuthType',
  ],
};

/** Members of the SDK's input that the emulator refuses by name rather than drop. */
export const LAMBDA_UNSUPPORTED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  // the emulated runtime hands functions no client context, tenant or durable execution
  Invoke: ['ClientContext', 'DurableExecutionName', 'TenantId'],
  // Lambda@Edge replicas: there are none locally
  ListFunctions: ['MasterRegion'],
  ...Object.fromEntries(
    Object.entries(HONOURED).map(([name, honoured]) => [
      name,
      [...MODEL.operations.get(name)!.input.structIterator()]
        .map(([member]) => member)
        .filter((member) => !honoured.includes(member)),
    ]),
  ),
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
    return (
      path === API_PREFIX ||
      path.startsWith(`${API_PREFIX}/`) ||
      path.startsWith(`${CODE_LOCATION_PREFIX}/`) ||
      path === MAPPINGS_PREFIX ||
      path.startsWith(`${MAPPINGS_PREFIX}/`)
    );
  }

  tooLarge(request: WireRequest, limit: number): WireResponse {
    // CreateFunction (POST …/functions) and UpdateFunctionCode (PUT …/code) carry a .zip: AWS's own wording
    const code =
      (request.method === 'POST' && /^\/2015-03-31\/functions\/?$/.test(request.path)) ||
      (request.method === 'PUT' && request.path.endsWith('/code'));
    if (code) {
      const operation = request.method === 'POST' ? 'CreateFunction' : 'UpdateFunctionCode';
      return this.error(
        request,
        new AwsError(
          'RequestEntityTooLargeException',
          `Request must be smaller than ${limit} bytes for the ${operation} operation`,
          413,
        ),
      );
    }
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
    let summary: CallSummary = { service: this.signingName };
    try {
      if (request.path.startsWith(`${CODE_LOCATION_PREFIX}/`)) return this.codePackage(request);
      const match = ROUTES.match(request.method, request.path, request.query, request.headers);
      if (!match) {
        throw new AwsError(
          'UnknownOperationException',
          `The emulator does not implement ${request.method} ${request.path}`,
          404,
        );
      }
      const name = match.operation.name;
      // the labels name the function: what the request log shows
      summary = { ...summary, operation: name, input: match.labels };
      const call = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!call) {
        summary = { ...summary, unemulated: true };
        throw new AwsError('UnknownOperationException', `${name} is not supported by the local emulator.`);
      }
      const input = decodeRestJsonInput(match.operation, { ...request, labels: match.labels }, DECODE);
      for (const member of LAMBDA_UNSUPPORTED_MEMBERS[name] ?? []) {
        // an empty list (Layers: []) asks for nothing
        if (input[member] !== undefined && !(Array.isArray(input[member]) && input[member].length === 0)) {
          throw new AwsError(
            'InvalidParameterValueException',
            `${member} is not supported by the local emulator.`,
          );
        }
      }
      request.authorize?.({ service: this.signingName, operation: name, input });
      // DeleteFunction, DeleteAlias and RemovePermission answer no members
      const output = ((await call(this.lambda, input, request)) ?? {}) as Record<string, unknown> & {
        requestId?: string;
      };
      const reply = encodeRestJsonOutput(match.operation, output);
      const headers: Record<string, string> = {
        ...reply.headers,
        'x-amzn-requestid': output.requestId ?? request.requestId,
      };
      // AWS: Invoke's payload (a blob in the model) is the function's result as JSON, and says so
      if (name === 'Invoke' && reply.body.length > 0) headers['content-type'] = 'application/json';
      return { ...reply, headers, summary };
    } catch (error) {
      const response = this.error(request, error);
      return { ...response, summary: { ...summary, errorCode: response.headers['x-amzn-errortype'] } };
    }
  }

  /** GET of a Code.Location: the function's .zip, as the presigned S3 URL AWS gives serves it. */
  private codePackage(request: WireRequest): WireResponse {
    const parts = request.path.slice(CODE_LOCATION_PREFIX.length + 1).split('/');
    const [name, version, file] = parts.map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '';
      }
    });
    const zip =
      request.method === 'GET' && parts.length === 3 && file.endsWith('.zip')
        ? this.lambda.codePackageZip(name, version, file.slice(0, -'.zip'.length))
        : undefined;
    if (zip === undefined) {
      throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    }
    const body = readFileSync(zip);
    return {
      status: 200,
      headers: { 'content-type': 'application/zip', 'content-length': String(body.length) },
      body,
    };
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
  const version = input.FunctionVersion as string | undefined;
  if (version !== undefined && version !== 'ALL') {
    throw validationException(
      `Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
    );
  }
  // FunctionVersion ALL adds the published versions to each function's $LATEST
  const page = pageOfItems(version === 'ALL' ? lambda.listAllVersions() : lambda.listFunctions(), input);
  return { Functions: page.items, NextMarker: page.nextToken };
}

/** One page of a list operation: `MaxItems` (1 to 10,000; at most 50 a page) from where `Marker` says. */
function pageOfItems<T>(all: readonly T[], input: Input): { items: T[]; nextToken?: string } {
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
  const marker = input.Marker as string | undefined;
  return pageOf(all, {
    pageSize: Math.min(maxItems ?? LIST_PAGE_MAX, LIST_PAGE_MAX),
    token: marker,
    invalidToken: () => new AwsError('InvalidParameterValueException', `Invalid Marker: ${marker}`),
  });
}

/** CreateFunction: Zip packages of Node.js functions; the code as ZipFile or S3Bucket/S3Key. */
async function createFunction(lambda: LambdaService, input: Input): Promise<unknown> {
  const packageType = (input.PackageType as string | undefined) ?? 'Zip';
  if (packageType !== 'Zip') {
    throw new AwsError(
      'InvalidParameterValueException',
      `PackageType ${packageType} is not supported by the local emulator (container images cannot run here; use Zip).`,
    );
  }
  if (input.Role === undefined) {
    throw validationException(`Value null at 'role' failed to satisfy constraint: Member must not be null`);
  }
  if (input.Runtime === undefined || input.Handler === undefined) {
    throw new AwsError(
      'InvalidParameterValueException',
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  }
  const code = (input.Code ?? {}) as Record<string, unknown>;
  return lambda.createFunction({
    functionName: String(input.FunctionName ?? ''),
    code: codeOf({
      ZipFile: code.ZipFile,
      S3Bucket: code.S3Bucket,
      S3Key: code.S3Key,
      S3ObjectVersion: code.S3ObjectVersion,
      ImageUri: code.ImageUri,
      SourceKMSKeyArn: code.SourceKMSKeyArn,
    }),
    runtime: String(input.Runtime),
    role: String(input.Role),
    handler: String(input.Handler),
    description: input.Description as string | undefined,
    timeout: input.Timeout as number | undefined,
    memorySize: input.MemorySize as number | undefined,
    environment: variablesOf(input),
    architectures: input.Architectures as string[] | undefined,
    tags: input.Tags as Record<string, string> | undefined,
    publish: input.Publish as boolean | undefined,
    loggingConfig: loggingConfigOf(input),
    strict: true,
  });
}

/** The code of CreateFunction's `Code` or UpdateFunctionCode's members: exactly one source. */
function codeOf(input: Input): FunctionCode {
  if (input.ImageUri !== undefined) {
    throw new AwsError(
      'InvalidParameterValueException',
      'ImageUri is not supported by the local emulator: container image functions cannot run here; use a .zip package.',
    );
  }
  if (input.SourceKMSKeyArn !== undefined) {
    throw new AwsError(
      'InvalidParameterValueException',
      'SourceKMSKeyArn is not supported by the local emulator.',
    );
  }
  const zip = input.ZipFile as Buffer | undefined;
  const s3 = input.S3Bucket !== undefined || input.S3Key !== undefined || input.S3ObjectVersion !== undefined;
  if (zip !== undefined && s3) {
    throw new AwsError(
      'InvalidParameterValueException',
      'Please do not provide other FunctionCode parameters when providing a ZipFile.',
    );
  }
  if (zip !== undefined) {
    // AWS bounds a direct upload by its request size only (70,167,211 bytes; here the server's, in tooLarge)
    return { zipFile: Buffer.from(zip) };
  }
  if (typeof input.S3Bucket === 'string' && typeof input.S3Key === 'string') {
    return {
      s3Bucket: input.S3Bucket,
      s3Key: input.S3Key,
      s3ObjectVersion: input.S3ObjectVersion as string | undefined,
    };
  }
  throw new AwsError(
    'InvalidParameterValueException',
    s3 ? 'Please provide both S3Bucket and S3Key.' : 'Please provide a source for function code.',
  );
}

/** Environment.Variables, checked to be a map of strings (the codec checked the shape). */
function variablesOf(input: Input): Record<string, string> | undefined {
  const environment = input.Environment as { Variables?: Record<string, unknown> } | undefined;
  if (environment === undefined) return undefined;
  return Object.fromEntries(Object.entries(environment.Variables ?? {}).map(([k, v]) => [k, String(v)]));
}

/** LoggingConfig's members as the service takes them. */
function loggingConfigOf(input: Input): LoggingConfigInput | undefined {
  const config = input.LoggingConfig as Record<string, string | undefined> | undefined;
  if (config === undefined) return undefined;
  return {
    logGroup: config.LogGroup,
    logFormat: config.LogFormat,
    applicationLogLevel: config.ApplicationLogLevel,
    systemLogLevel: config.SystemLogLevel,
  };
}

/** The settings CreateEventSourceMapping and UpdateEventSourceMapping share; absent members stay undefined. */
function mappingSettingsOf(input: Input): EventSourceMappingUpdate {
  const filters = (input.FilterCriteria as { Filters?: Array<{ Pattern?: string }> } | undefined)?.Filters;
  return {
    batchSize: input.BatchSize as number | undefined,
    maximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds as number | undefined,
    functionResponseTypes: input.FunctionResponseTypes as string[] | undefined,
    maximumConcurrency: (input.ScalingConfig as { MaximumConcurrency?: number } | undefined)
      ?.MaximumConcurrency,
    filterPatterns: filters?.map((f) => f.Pattern ?? ''),
    enabled: input.Enabled as boolean | undefined,
    ...kinesisMappingSettingsOf(input),
  };
}

/** The members only stream sources (Kinesis) take; SQS mappings refuse them. */
function kinesisMappingSettingsOf(input: Input): EventSourceMappingUpdate {
  const timestamp = input.StartingPositionTimestamp;
  const destinations = input.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined;
  const onFailure = destinations?.OnFailure;
  return {
    startingPosition: input.StartingPosition as string | undefined,
    startingPositionTimestamp: timestamp instanceof Date ? timestamp.getTime() : undefined,
    bisectBatchOnFunctionError: input.BisectBatchOnFunctionError as boolean | undefined,
    maximumRetryAttempts: input.MaximumRetryAttempts as number | undefined,
    maximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds as number | undefined,
    onFailureDestination: onFailure?.Destination,
  };
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
