/**
 * The wire: one HTTP server for every emulated service. A service protocol registers what it answers to
 * (a JSON X-Amz-Target prefix, query-protocol Actions, a SigV4 signing name, paths); the router picks one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

export interface WireRequest {
  readonly method: string;
  /** Path without the query string, percent-encoding kept. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** A large body the server wrote to a file as it arrived (`largeBody`); `body` is then empty. */
  readonly spilled?: SpilledBody;
  /** A `largeBody` that stayed in memory, in the pieces it arrived in (S3 keeps them, no copy); `body` is then empty. */
  readonly bodyChunks?: readonly Buffer[];
  /** Aborted when the client goes away (long polls stop waiting). */
  readonly signal: AbortSignal;
  readonly requestId: string;
  /**
   * Set for a caller whose permissions are checked (a function's or instance's role session, `--iam`): the
   * protocol calls it with the decoded operation before running it; it throws the service's AccessDenied.
   */
  readonly authorize?: (call: {
    readonly service: string;
    readonly operation: string;
    readonly input: Readonly<Record<string, unknown>>;
  }) => void;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** A body too large to hold, streamed after the headers in place of `body` (S3 objects on disk). */
  stream?: ResponseStream;
  /** What the request log says about the call; set by the protocol that served it. */
  summary?: CallSummary;
}

/** A served call as the request log prints it (`--log requests`). */
export interface CallSummary {
  /** The signing name of the service that answered, e.g. `sqs`, `s3`. */
  readonly service: string;
  /** The AWS operation, when the request got far enough to name one. */
  readonly operation?: string;
  /** The decoded input, from which the log names the resource (a queue, a bucket and key…) only when it prints. */
  readonly input?: Readonly<Record<string, unknown>>;
  /** The AWS error code of an error answer. */
  readonly errorCode?: string;
  /** The call asked for something the emulator does not emulate (an operation, a service): always logged. */
  readonly unemulated?: boolean;
}

/** A request body on disk: the server deletes the file once the request is answered (rename it to keep it). */
export interface SpilledBody {
  readonly path: string;
  readonly size: number;
}

/** A response body read as it is sent; the server destroys it if it is not sent (HEAD, a client gone). */
export interface ResponseStream {
  /** Absent for an open-ended stream (the console's server-sent events), sent chunked. */
  readonly length?: number;
  readonly content: Readable;
}

/** How a request whose body may be larger than memory is read (S3 PutObject, UploadPart). */
export interface LargeBody {
  /** The most bytes accepted; more is answered with `tooLarge`. */
  readonly maxBytes: number;
  /** Where the body goes once it is over `memoryBytes` (asked only then: it may make the directory). */
  spillDirectory(): string;
  readonly memoryBytes: number;
  /** Sees each piece as it arrives, before it is kept or written (S3 hashes uploads then: no second pass). */
  observe?(piece: Buffer): void;
}

export interface ServiceProtocol {
  /** SigV4 signing name from the credential scope, e.g. `sqs`, `sns`, `s3`. */
  readonly signingName: string;
  /** JSON protocols: the X-Amz-Target prefix, e.g. `AmazonSQS`. */
  readonly jsonTargetPrefix?: string;
  /** Query protocols: the Actions this service implements. */
  readonly queryActions?: ReadonlySet<string>;
  /** Claims a request by its path when nothing else identifies the service (e.g. an SQS queue URL). */
  ownsPath?(path: string): boolean;
  handle(request: WireRequest): Promise<WireResponse> | WireResponse;
  /** Answers a request whose body is over `limit` bytes in this service's own error shape (body not read). */
  tooLarge?(request: WireRequest, limit: number): WireResponse;
  /** From the headers alone: whether this request's body may be large, streamed to disk (else 16 MiB in memory). */
  largeBody?(request: WireRequest): LargeBody | undefined;
}

/**
 * The emulator's own pages and endpoints (not AWS): the control API under `/_emulator/`, the console under
 * `/_console/`. They pass the same request guard as every AWS call (Host, browser origin).
 */
export interface LocalRoute {
  /** The path prefix it owns, ending in `/`, e.g. `/_emulator/`. */
  readonly prefix: string;
  handle(request: WireRequest): Promise<WireResponse> | WireResponse;
}

/** Who is calling (`--iam`): returns the request with `authorize` set when its caller's permissions are checked. */
export type RequestAdmission = (request: WireRequest) => WireRequest;

export class ProtocolRouter {
  private readonly protocols: ServiceProtocol[] = [];
  private readonly localRoutes: LocalRoute[] = [];
  /** Identifies the caller of each AWS request before its service sees it; absent: everyone is the administrator. */
  admission?: RequestAdmission;

  register(protocol: ServiceProtocol): void {
    this.protocols.push(protocol);
  }

  /** Serves a path prefix of the emulator's own (`/_emulator/`, `/_console/`) before any AWS service sees it. */
  registerLocal(route: LocalRoute): void {
    if (!route.prefix.startsWith('/_') || !route.prefix.endsWith('/')) {
      throw new Error(`a local route's prefix is /_name/, got '${route.prefix}'`);
    }
    if (this.localRoutes.some((r) => r.prefix === route.prefix)) {
      throw new Error(`two local routes for '${route.prefix}'`);
    }
    this.localRoutes.push(route);
  }

  /** The local route owning a request's path, if any (S3 bucket names cannot start with `_`). */
  localRoute(request: WireRequest): LocalRoute | undefined {
    return this.localRoutes.find((r) => request.path.startsWith(r.prefix));
  }

  get signingNames(): string[] {
    return this.protocols.map((p) => p.signingName);
  }

  /** The served services by their product names, for errors that list them: `SQS, SNS, ... and Auto Scaling`. */
  get serviceNames(): string[] {
    return this.protocols.map((p) => serviceNameOf(p.signingName));
  }

  /** Picks the service for a request: X-Amz-Target, else the SigV4 scope, else the form Action, then the path. */
  route(request: WireRequest): ServiceProtocol | undefined {
    const target = header(request, 'x-amz-target');
    if (target !== undefined) {
      const prefix = target.split('.', 1)[0];
      return this.protocols.find((p) => p.jsonTargetPrefix === prefix);
    }
    const scope = signingNameOf(request);
    if (scope !== undefined) {
      // a scope naming a service nobody registered is not emulated: S3, which claims every path, must not answer
      return this.protocols.find((p) => p.signingName === scope);
    }
    const action = formActionOf(request) ?? request.query.get('Action') ?? undefined;
    if (action !== undefined) {
      const candidates = this.protocols.filter((p) => p.queryActions?.has(action));
      if (candidates.length > 0) return candidates.find((p) => p.ownsPath?.(request.path)) ?? candidates[0];
    }
    return this.protocols.find((p) => p.ownsPath?.(request.path));
  }
}

export function header(request: WireRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The SigV4 signing name of a request's credential scope (header or presigned query), if it is signed. */
export function signingNameOf(request: WireRequest): string | undefined {
  // SigV4: `Credential=AKID/DATE/REGION/SERVICE/aws4_request`, in the header or (presigned) the query
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const start = authorization.indexOf('Credential=');
    if (start >= 0) {
      const end = authorization.slice(start + 11).search(/[,\s]/);
      const credential = authorization.slice(start + 11, end < 0 ? undefined : start + 11 + end);
      const service = credential.split('/', 5)[3];
      if (service) return service;
    }
  }
  return request.query.get('X-Amz-Credential')?.split('/', 5)[3];
}

/** Product names of signing names that differ from their upper-cased form, for messages. */
const PRODUCT_NAMES: ReadonlyMap<string, string> = new Map([
  ['lambda', 'Lambda'],
  ['monitoring', 'CloudWatch'],
  ['autoscaling', 'Auto Scaling'],
  ['cloudformation', 'CloudFormation'],
  ['dynamodb', 'DynamoDB'],
  ['kinesis', 'Kinesis'],
  ['firehose', 'Firehose'],
  ['logs', 'CloudWatch Logs'],
  ['events', 'EventBridge'],
  ['states', 'Step Functions'],
  ['secretsmanager', 'Secrets Manager'],
  ['apigateway', 'API Gateway'],
  ['execute-api', 'API Gateway'],
  ['route53', 'Route 53'],
  ['elasticloadbalancing', 'Elastic Load Balancing'],
]);

/** A service's product name for messages; short signing names (sts, ec2, iam, kms) are acronyms. */
export function serviceNameOf(signingName: string): string {
  return (
    PRODUCT_NAMES.get(signingName) ?? (signingName.length <= 4 ? signingName.toUpperCase() : signingName)
  );
}

/** The operation a request names: the JSON X-Amz-Target's, else the form or query `Action`. */
export function operationOf(request: WireRequest): string | undefined {
  const target = header(request, 'x-amz-target');
  if (target !== undefined) return target.slice(target.indexOf('.') + 1);
  return formActionOf(request) ?? request.query.get('Action') ?? undefined;
}

/**
 * The `Action` of a form body, found by walking the pairs without decoding the rest: the service decodes the form
 * once, after routing (QueryForm).
 */
function formActionOf(request: WireRequest): string | undefined {
  const type = header(request, 'content-type') ?? '';
  if (request.method !== 'POST' || !type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return undefined;
  }
  const body = request.body;
  const name = Buffer.from('Action=');
  for (let start = 0; start < body.length;) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end < 0) end = body.length;
    if (end - start >= name.length && body.compare(name, 0, name.length, start, start + name.length) === 0) {
      try {
        return decodeURIComponent(body.toString('utf8', start + name.length, end).replaceAll('+', ' '));
      } catch {
        return undefined;
      }
    }
    start = end + 1;
  }
  return undefined;
}
