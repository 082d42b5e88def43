/**
 * The wire of an RPC-style service (SQS, SNS, CloudWatch, Auto Scaling and the ones to come): AWS JSON 1.0/1.1
 * (`X-Amz-Target: <prefix>.<Op>`) and/or the query protocol (`Action=<Op>`, XML out), read and written by the
 * schema-driven codecs from the service's SDK model. A service supplies only its table: one call per emulated
 * operation, the members it refuses by name, and its error conventions.
 */
import { gunzipSync } from 'node:zlib';
import { AwsError } from '../../errors';
import { textNestsDeeperThan } from '../../kit/json-nesting';
import { MAX_REQUEST_BYTES } from '../http-server';
import { QueryForm } from '../query-form';
import {
  type CallSummary,
  header,
  type ServiceProtocol,
  type WireRequest,
  type WireResponse,
} from '../router';
import { CBOR_CONTENT_TYPE, decodeCbor, encodeCbor } from './cbor';
import {
  binaryJsonOutput,
  decodeJsonInput,
  encodeJsonError,
  encodeJsonOutput,
  type JsonErrorOptions,
} from './json';
import {
  decodeQueryInput,
  encodeQueryError,
  encodeQueryResponse,
  IndexedForm,
  type QueryDecodeOptions,
  refuseUnsupported,
} from './query';
import type { OperationModel, ServiceModel } from './service-model';

/** One emulated operation: the service method it calls with the decoded input (shaped as the SDK's input). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the codec hands over input shaped by the SDK's schema
export type OperationCall<S> = (service: S, input: any, request: WireRequest) => unknown;

/**
 * The operations a service implements, found in the code: each operation of the model whose method (the name in
 * lower camel case, `CreateTopic` → `createTopic`: one method per AWS operation) the service class has, calling it
 * with the decoded input. `special` gives the call of an operation that needs more than its input.
 */
export function implementedOperations<S extends object>(
  model: ServiceModel,
  prototype: S,
  special: Readonly<Record<string, OperationCall<S>>> = {},
): Record<string, OperationCall<S>> {
  const table: Record<string, OperationCall<S>> = {};
  for (const name of model.operations.keys()) {
    const method = `${name[0].toLowerCase()}${name.slice(1)}` as keyof S;
    if (Object.hasOwn(special, name)) table[name] = special[name];
    else if (typeof prototype[method] === 'function') {
      table[name] = (service, input) => (service[method] as (input: unknown) => unknown).call(service, input);
    }
  }
  return table;
}

/** Deeper than any AWS input shape nests; refused before JSON.parse, which takes seconds on megabytes of `[`. */
const MAX_JSON_DEPTH = 64;

export interface RpcServiceWire<S> {
  /** For logs: `SQS`, `CloudWatch`. */
  readonly serviceName: string;
  /** SigV4 signing name from the credential scope. */
  readonly signingName: string;
  readonly model: ServiceModel;
  readonly operations: Readonly<Record<string, OperationCall<S>>>;
  /** Members of the SDK's input the emulator refuses by name rather than drop, per operation. */
  readonly unsupported: Readonly<Record<string, readonly string[]>>;
  /** The query protocol: XML namespace of replies and the service's errors for malformed values. */
  readonly query?: { readonly xmlns: string; readonly decode: QueryDecodeOptions };
  /** AWS JSON: the X-Amz-Target prefix, the content type (1.0 or 1.1) and the error conventions. */
  readonly json?: {
    readonly targetPrefix: string;
    readonly contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
    readonly errors: JsonErrorOptions;
    /** Whether the CBOR form of the same calls (`application/x-amz-cbor-1.1`, the Java SDK's Kinesis) is served. */
    readonly cbor?: boolean;
  };
  /** The error a service bug surfaces as (AWS's own wording for an internal failure). */
  readonly internalError: () => AwsError;
  /** The error for a member in `unsupported`; by default the service's invalid-value error (query) or InvalidParameterValue. */
  readonly refusedMember?: (member: string, message: string) => AwsError;
}

/** A service's ServiceProtocol built from its wire table; subclasses adjust the few service quirks. */
export class RpcProtocol<S> implements ServiceProtocol {
  readonly signingName: string;
  readonly jsonTargetPrefix?: string;
  readonly queryActions?: ReadonlySet<string>;

  constructor(
    protected readonly wire: RpcServiceWire<S>,
    protected readonly service: S,
  ) {
    this.signingName = wire.signingName;
    this.jsonTargetPrefix = wire.json?.targetPrefix;
    if (wire.query) this.queryActions = new Set(Object.keys(wire.operations));
  }

  handle(request: WireRequest): Promise<WireResponse> {
    return this.wire.json && header(request, 'x-amz-target') !== undefined
      ? this.handleJson(request)
      : this.handleQuery(request);
  }

  /** A request over the size limit, refused in its own protocol's shape (the body is not read). */
  tooLarge(request: WireRequest, limit: number): WireResponse {
    const length = Number(header(request, 'content-length'));
    const error = new AwsError(
      'RequestEntityTooLarge',
      Number.isFinite(length)
        ? `Request size ${length} exceeded ${limit} bytes`
        : `Request size exceeded ${limit} bytes`,
      413,
    );
    return this.wire.json && header(request, 'x-amz-target') !== undefined
      ? this.jsonError(request, error)
      : this.queryError(request, error);
  }

  /** The input as decoded, before the call: subclasses fill members the protocol carries elsewhere. */
  protected completeQueryInput(_input: Record<string, unknown>, _request: WireRequest): void {}

  /** An error as the query protocol words it (some services kept older wording there). */
  protected queryErrorOf(error: AwsError): AwsError {
    return error;
  }

  // ----- AWS JSON -----------------------------------------------------------------------------------------

  private async handleJson(request: WireRequest): Promise<WireResponse> {
    const json = this.wire.json!;
    const target = header(request, 'x-amz-target') as string;
    const name = target.startsWith(`${json.targetPrefix}.`) ? target.slice(json.targetPrefix.length + 1) : '';
    let input: Record<string, unknown> | undefined;
    try {
      const [call, operation] = this.operation(name, () =>
        unknownOperation(`Operation ${target} is not supported by this service.`),
      );
      const body = bodyOf(request);
      const cbor = this.isCbor(request);
      let parsed: unknown = {};
      // the CBOR decoder bounds its own depth and lengths
      if (cbor && body.length > 0) parsed = decodeCbor(body);
      else if (body.length > 0) {
        if (textNestsDeeperThan(body, MAX_JSON_DEPTH)) {
          throw new AwsError(
            'SerializationException',
            `The request nests JSON more than ${MAX_JSON_DEPTH} levels deep.`,
          );
        }
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
        }
      }
      input = decodeJsonInput(operation, parsed);
      this.refuse(name, input);
      request.authorize?.({ service: this.signingName, operation: name, input });
      const result = await call(this.service, input, request);
      return {
        status: 200,
        headers: {
          'content-type': cbor ? CBOR_CONTENT_TYPE : json.contentType,
          'x-amzn-requestid': request.requestId,
        },
        body: cbor ? encodeCbor(binaryJsonOutput(operation, result)) : encodeJsonOutput(operation, result),
        summary: this.summary(name, input),
      };
    } catch (error) {
      const aws = this.asAwsError(error);
      return { ...this.jsonError(request, aws), summary: this.summary(name, input, aws) };
    }
  }

  private jsonError(request: WireRequest, error: AwsError): WireResponse {
    const json = this.wire.json!;
    const { headers, body } = encodeJsonError(error, this.wire.model, json.errors);
    // a CBOR caller reads the same `__type` and `message` as CBOR
    const cbor = this.isCbor(request);
    return {
      status: error.httpStatus,
      headers: {
        'content-type': cbor ? CBOR_CONTENT_TYPE : json.contentType,
        'x-amzn-requestid': request.requestId,
        ...headers,
      },
      body: cbor ? encodeCbor(JSON.parse(body)) : body,
    };
  }

  /** Whether the call is in the CBOR form (by its content type) and the service serves it. */
  private isCbor(request: WireRequest): boolean {
    const type = (header(request, 'content-type') ?? '').toLowerCase();
    return this.wire.json?.cbor === true && type.startsWith(CBOR_CONTENT_TYPE);
  }

  // ----- query --------------------------------------------------------------------------------------------

  private async handleQuery(request: WireRequest): Promise<WireResponse> {
    let action: string | undefined;
    let input: Record<string, unknown> | undefined;
    try {
      const query = this.wire.query;
      if (!query) throw unknownOperation('The request has no X-Amz-Target header.');
      const form = QueryForm.fromRequest({ ...request, body: bodyOf(request) });
      action = form.get('Action') ?? undefined;
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const [call, operation] = this.operation(
        action,
        () => new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`),
      );
      input = decodeQueryInput(operation, new IndexedForm(form), query.decode);
      this.completeQueryInput(input, request);
      this.refuse(action, input);
      request.authorize?.({ service: this.signingName, operation: action, input });
      const result = await call(this.service, input, request);
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: encodeQueryResponse(operation, result ?? {}, query.xmlns, request.requestId),
        summary: this.summary(action, input),
      };
    } catch (error) {
      const aws = this.asAwsError(error);
      return { ...this.queryError(request, aws), summary: this.summary(action, input, aws) };
    }
  }

  private queryError(request: WireRequest, error: AwsError): WireResponse {
    const aws = this.queryErrorOf(error);
    return {
      status: aws.httpStatus,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
      body: encodeQueryError(aws, this.wire.query?.xmlns ?? '', request.requestId),
    };
  }

  // ----- shared -------------------------------------------------------------------------------------------

  /** The request log's view of a call; an operation of the model the emulator lacks counts as unemulated. */
  private summary(
    operation: string | undefined,
    input?: Record<string, unknown>,
    error?: AwsError,
  ): CallSummary {
    return {
      service: this.signingName,
      operation: operation || undefined,
      input,
      errorCode: error?.code,
      unemulated:
        error !== undefined &&
        operation !== undefined &&
        this.wire.model.operations.has(operation) &&
        !Object.hasOwn(this.wire.operations, operation),
    };
  }

  /** The emulated operation and its model; an operation of the model the emulator lacks is named as such. */
  private operation(name: string, unknown: () => AwsError): [OperationCall<S>, OperationModel] {
    const call = Object.hasOwn(this.wire.operations, name) ? this.wire.operations[name] : undefined;
    const operation = this.wire.model.operations.get(name);
    if (call && operation) return [call, operation];
    if (operation) {
      const error = unknown();
      throw new AwsError(
        error.code,
        `The local emulator does not implement the ${this.wire.serviceName} operation ${name}.`,
        error.httpStatus,
      );
    }
    throw unknown();
  }

  private refuse(name: string, input: Record<string, unknown>): void {
    const invalid =
      this.wire.refusedMember ??
      this.wire.query?.decode.invalidValue ??
      ((_member: string, message: string) => new AwsError('InvalidParameterValue', message));
    refuseUnsupported(input, this.wire.unsupported[name], { invalidValue: invalid });
  }

  private asAwsError(error: unknown): AwsError {
    if (error instanceof AwsError) return error;
    console.error(`emulator: internal error in ${this.wire.serviceName}`, error);
    return this.wire.internalError();
  }
}

function unknownOperation(message: string): AwsError {
  return new AwsError('UnknownOperationException', message);
}

/** The body, inflated when the client compressed it (SDKs gzip large PutMetricData calls); bounded as the server is. */
function bodyOf(request: WireRequest): Buffer {
  const encoding = (header(request, 'content-encoding') ?? '').toLowerCase();
  if (!encoding.includes('gzip')) return request.body;
  try {
    // a megabyte of gzip can inflate to gigabytes: stop at the size the server accepts uncompressed
    return gunzipSync(request.body, { maxOutputLength: MAX_REQUEST_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AwsError('RequestEntityTooLarge', `Request size exceeded ${MAX_REQUEST_BYTES} bytes`, 413);
    }
    throw new AwsError('SerializationException', 'The request body is not valid gzip data.');
  }
}
