/**
 * Every AWS service's wire protocol, each loaded on the first request routed to it (issue 18). A protocol module
 * loads its `@aws-sdk/client-*` package and walks its Smithy schema when it loads: 1-4 MiB and tens of ms per
 * service (the first also loads the SDK's shared runtime), twelve times over, for services a session may never
 * call. The router needs only each service's identity (signing name, X-Amz-Target prefix, the query Actions and
 * paths it may own), declared here; everything else asks the loaded protocol, checked against it when it loads.
 */
import type * as AutoScalingWire from './autoscaling';
import type * as CloudFormationWire from './cloudformation';
import type * as CloudWatchWire from './cloudwatch';
import type * as FirehoseWire from './firehose';
import type * as KinesisWire from './kinesis';
import type * as LambdaWire from './lambda';
import type * as LogsWire from './logs';
import type { LargeBody, ServiceProtocol, WireRequest, WireResponse } from './router';
import type * as S3Wire from './s3';
import type * as SnsWire from './sns';
import type * as SqsWire from './sqs';
import type * as SsmWire from './ssm';
import type * as StsWire from './sts';
import type { AutoScalingService } from '../autoscaling/service';
import type { CloudFormationService } from '../cloudformation/service';
import type { CloudWatchService } from '../cloudwatch/service';
import type { FirehoseService } from '../firehose/service';
import type { KinesisService } from '../kinesis/service';
import type { LambdaService } from '../lambda/service';
import type { LogsService } from '../logs/service';
import type { S3Service } from '../s3/service';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import type { SsmService } from '../ssm/service';
import type { StsService } from '../sts/service';

/** What routes a request to a service before its protocol is loaded. */
export interface ProtocolIdentity {
  readonly signingName: string;
  /** AWS JSON: the X-Amz-Target prefix. */
  readonly jsonTargetPrefix?: string;
  /**
   * Speaks the query protocol: whether it may serve an Action (its Actions come from its model, loaded only when an
   * unsigned request names an Action this says it may serve).
   */
  readonly mayServeAction?: (action: string) => boolean;
  /** Claims paths (unsigned requests): a cheap test every path it owns passes; the loaded protocol then decides. */
  readonly mayOwnPath?: (path: string) => boolean;
}

/** A service's protocol, loaded (once, synchronously) on the first request or routing question that needs it. */
export class LazyProtocol implements ServiceProtocol {
  readonly signingName: string;
  readonly jsonTargetPrefix?: string;
  readonly ownsPath?: (path: string) => boolean;
  private protocol: ServiceProtocol | undefined;

  constructor(
    private readonly identity: ProtocolIdentity,
    private readonly load: () => ServiceProtocol,
  ) {
    this.signingName = identity.signingName;
    this.jsonTargetPrefix = identity.jsonTargetPrefix;
    const mayOwnPath = identity.mayOwnPath;
    if (mayOwnPath) this.ownsPath = (path) => mayOwnPath(path) && this.loaded().ownsPath!(path);
  }

  get queryActions(): ReadonlySet<string> | undefined {
    const mayServe = this.identity.mayServeAction;
    return mayServe && new LazyActions(mayServe, () => this.loaded().queryActions!);
  }

  handle(request: WireRequest): Promise<WireResponse> | WireResponse {
    return this.loaded().handle(request);
  }

  tooLarge(request: WireRequest, limit: number): WireResponse {
    return this.loaded().tooLarge!(request, limit);
  }

  largeBody(request: WireRequest): LargeBody | undefined {
    return this.loaded().largeBody?.(request);
  }

  /** The real protocol; the first call loads its module (and its SDK model) and checks it against the identity. */
  loaded(): ServiceProtocol {
    if (this.protocol) return this.protocol;
    const protocol = this.load();
    const mismatch = identityMismatch(this.identity, protocol);
    if (mismatch !== undefined) {
      throw new Error(`the ${this.signingName} protocol does not match its declared identity: ${mismatch}`);
    }
    this.protocol = protocol;
    return protocol;
  }
}

/** How a loaded protocol differs from what routed to it, or undefined when it is as declared. */
function identityMismatch(identity: ProtocolIdentity, protocol: ServiceProtocol): string | undefined {
  if (protocol.signingName !== identity.signingName) return `signing name ${protocol.signingName}`;
  if (protocol.jsonTargetPrefix !== identity.jsonTargetPrefix) {
    return `X-Amz-Target prefix ${protocol.jsonTargetPrefix ?? '(none)'}`;
  }
  if ((protocol.queryActions !== undefined) !== (identity.mayServeAction !== undefined))
    return 'query protocol';
  const unforeseen = [...(protocol.queryActions ?? [])].find((action) => !identity.mayServeAction!(action));
  if (unforeseen !== undefined) return `query Action ${unforeseen} not foreseen`;
  if ((protocol.ownsPath !== undefined) !== (identity.mayOwnPath !== undefined)) return 'paths owned';
  // the server answers an oversized body in the service's own shape, so every protocol words it
  if (protocol.tooLarge === undefined) return 'no tooLarge';
  return undefined;
}

/** A query protocol's Actions: `has` loads the protocol only for an Action its service may serve. */
class LazyActions implements ReadonlySet<string> {
  constructor(
    private readonly mayServe: (action: string) => boolean,
    private readonly actions: () => ReadonlySet<string>,
  ) {}

  has(action: string): boolean {
    return this.mayServe(action) && this.actions().has(action);
  }

  get size(): number {
    return this.actions().size;
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const action of this.actions()) callback(action, action, this);
  }

  entries(): SetIterator<[string, string]> {
    return this.actions().entries();
  }

  keys(): SetIterator<string> {
    return this.actions().keys();
  }

  values(): SetIterator<string> {
    return this.actions().values();
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.actions()[Symbol.iterator]();
  }
}

/**
 * The Actions a query service may serve: its operations are its methods (`implementedOperations`: `Publish` is
 * `publish`), so an Action with no such method is not its own and does not load it.
 */
function methodsOf(service: object): (action: string) => boolean {
  return (action) => {
    const method = `${action.slice(0, 1).toLowerCase()}${action.slice(1)}`;
    return typeof (service as Record<string, unknown>)[method] === 'function';
  };
}

/** The services the protocols serve. */
export interface EmulatedServices {
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly lambda: LambdaService;
  readonly cloudwatch: CloudWatchService;
  readonly logs: LogsService;
  readonly autoscaling: AutoScalingService;
  readonly sts: StsService;
  readonly ssm: SsmService;
  readonly kinesis: KinesisService;
  readonly cloudformation: CloudFormationService;
  readonly firehose: FirehoseService;
  readonly s3: S3Service;
}

/** Lambda's REST paths (functions, code packages, event source mappings) all start with its API version. */
const LAMBDA_API_VERSION = '/2015-03-31/';
/** A queue URL's path starts `/<account id>/`. */
const ACCOUNT_PATH = /^\/\d{12}\//;

/**
 * Every service's protocol, in the order the router asks them; S3, which claims any path, last. Each is loaded
 * with `require`, synchronously: routing and the server's body-size checks ask a protocol without awaiting.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- see above: a lazy load that can be synchronous */
export function serviceProtocols(services: EmulatedServices): LazyProtocol[] {
  const { sqs, sns, lambda, cloudwatch, logs, autoscaling, sts, ssm, kinesis, cloudformation, firehose, s3 } =
    services;
  return [
    new LazyProtocol(
      {
        signingName: 'sqs',
        jsonTargetPrefix: 'AmazonSQS',
        mayServeAction: methodsOf(sqs),
        mayOwnPath: (p) => ACCOUNT_PATH.test(p),
      },
      () => new (require('./sqs') as typeof SqsWire).SqsProtocol(sqs),
    ),
    new LazyProtocol(
      { signingName: 'sns', mayServeAction: methodsOf(sns) },
      () => new (require('./sns') as typeof SnsWire).SnsProtocol(sns),
    ),
    new LazyProtocol(
      { signingName: 'lambda', mayOwnPath: (p) => p.startsWith(LAMBDA_API_VERSION) },
      () => new (require('./lambda') as typeof LambdaWire).LambdaProtocol(lambda),
    ),
    new LazyProtocol(
      {
        signingName: 'monitoring',
        jsonTargetPrefix: 'GraniteServiceVersion20100801',
        mayServeAction: methodsOf(cloudwatch),
      },
      () => new (require('./cloudwatch') as typeof CloudWatchWire).CloudWatchProtocol(cloudwatch),
    ),
    new LazyProtocol(
      { signingName: 'logs', jsonTargetPrefix: 'Logs_20140328' },
      () => new (require('./logs') as typeof LogsWire).LogsProtocol(logs),
    ),
    new LazyProtocol(
      { signingName: 'autoscaling', mayServeAction: methodsOf(autoscaling) },
      () => new (require('./autoscaling') as typeof AutoScalingWire).AutoScalingProtocol(autoscaling),
    ),
    new LazyProtocol(
      { signingName: 'sts', mayServeAction: methodsOf(sts) },
      () => new (require('./sts') as typeof StsWire).StsProtocol(sts),
    ),
    new LazyProtocol(
      { signingName: 'ssm', jsonTargetPrefix: 'AmazonSSM' },
      () => new (require('./ssm') as typeof SsmWire).SsmProtocol(ssm),
    ),
    new LazyProtocol(
      { signingName: 'kinesis', jsonTargetPrefix: 'Kinesis_20131202' },
      () => new (require('./kinesis') as typeof KinesisWire).KinesisProtocol(kinesis),
    ),
    new LazyProtocol(
      { signingName: 'cloudformation', mayServeAction: methodsOf(cloudformation) },
      () =>
        new (require('./cloudformation') as typeof CloudFormationWire).CloudFormationProtocol(cloudformation),
    ),
    new LazyProtocol(
      { signingName: 'firehose', jsonTargetPrefix: 'Firehose_20150804' },
      () => new (require('./firehose') as typeof FirehoseWire).FirehoseProtocol(firehose),
    ),
    new LazyProtocol(
      { signingName: 's3', mayOwnPath: () => true },
      () => new (require('./s3') as typeof S3Wire).S3Protocol(s3),
    ),
  ];
}
/* eslint-enable @typescript-eslint/no-require-imports */
