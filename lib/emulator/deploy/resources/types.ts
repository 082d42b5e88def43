/**
 * What a resource handler is: it turns one template resource (its properties already resolved) into
 * emulator state, and says what `Ref` and `Fn::GetAtt` return for it, as CloudFormation's resource types do.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { InstanceLogLine } from '../../autoscaling/instances';
import type { Emulator } from '../../emulator';
import type { IamMode } from '../../iam/authorizer';
import type { PhysicalNameOptions } from '../physical-name';

/** One resource to create. */
export interface ResourceRequest {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** Properties with every intrinsic resolved. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The resource's Metadata, intrinsics resolved (the worker fleet's group names what its instances run). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What handlers may use besides the emulator. */
export interface DeployContext {
  readonly emulator: Emulator;
  /** `Stack-LogicalId-SUFFIX` for the resource being created, as CloudFormation names unnamed resources. */
  physicalName(options: PhysicalNameOptions): string;
  /** The directory of a file asset, by the object key the template names (`<hash>.zip`). */
  assetPath(objectKey: string): string | undefined;
  /** Where a handler may write files (inline Lambda code). */
  readonly workDirectory: string;
  /** Logical ids of functions that back a custom resource the emulator applies itself (they never run). */
  readonly providerFunctions: ReadonlyMap<string, string>;
  /** Receives each line a local instance (an Auto Scaling group's worker process) prints. */
  readonly onInstanceLog?: (line: InstanceLogLine) => void;
}

/**
 * The outcome, as the start-up table shows it: `emulated` resources behave (queues, functions…); `kept`
 * resources are recorded for later checks but do nothing locally (IAM, KMS); `not-emulated` ones have a reason.
 */
export type ResourceStatus = 'emulated' | 'kept' | 'not-emulated';

export interface ProvisionedResource {
  /** What `Ref` returns. */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** What the table shows: a URL, an ARN or a name. @default ref */
  readonly display?: string;
  /** @default 'emulated' */
  readonly status?: ResourceStatus;
  /** Why a resource is kept or not emulated, or what is special about it. */
  readonly note?: string;
}

/** A resource as the stack holds it: what it was created from, and what it gave back. */
export interface ExistingResource extends ResourceRequest {
  /** What `Ref` returns (the physical id). */
  readonly ref: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly status: ResourceStatus;
}

/**
 * One resource type's life cycle. `update` changes the resource in place (its physical id stays, and with it the
 * data: messages in a queue, objects in a bucket); a change to a property in `replacedBy`, or any change when there
 * is no `update`, replaces it, as AWS's "Update requires: Replacement" properties do. `delete` removes it; without
 * one the resource is a record only and nothing is left behind.
 */
export interface ResourceHandler {
  create(
    request: ResourceRequest,
    context: DeployContext,
  ): Promise<ProvisionedResource> | ProvisionedResource;
  update?(
    request: ResourceRequest,
    previous: ExistingResource,
    context: DeployContext,
  ): Promise<ProvisionedResource> | ProvisionedResource;
  delete?(resource: ExistingResource, context: DeployContext): Promise<void> | void;
  /** Properties whose change replaces the resource (the name properties, FifoQueue…). */
  readonly replacedBy?: readonly string[];
  /** The property that names the resource (QueueName): AWS cannot replace it while the name stays the same. */
  readonly nameProperty?: string;
}

/** A template property that must be a string (or absent), for handlers' own checks. */
export function optionalString(request: ResourceRequest, name: string): string | undefined {
  const value = request.properties[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ResourcePropertyError(
      request,
      `property ${name} must be a string, got ${JSON.stringify(value)}`,
    );
  }
  return String(value);
}

export function requiredString(request: ResourceRequest, name: string): string {
  const value = optionalString(request, name);
  if (value === undefined)
    throw new ResourcePropertyError(request, `the required property ${name} is missing`);
  return value;
}

/** JSON-valued properties (policies, filter policies) arrive as objects; the services take them as text. */
export function jsonText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** CloudFormation takes `true`/`"true"` and numbers as numbers or strings; the services take strings. */
export function attributeText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The template properties among `names` that are set, as attribute text, by the same names. */
export function attributesOf(
  properties: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const key of names) {
    const value = attributeText(properties[key]);
    if (value !== undefined) attributes[key] = value;
  }
  return attributes;
}

/** Where a queue's or topic's template properties hold its name, its kind and its attributes. */
export interface QueueOrTopicProperties {
  /** The name property (`QueueName`); without it, a name is generated of at most `maxLength` characters. */
  readonly name: string;
  readonly maxLength: number;
  /** The property that makes it FIFO (`FifoQueue`): a generated name then ends in `.fifo`, as it must. */
  readonly fifo: string;
  /** The properties that are attributes of the same name. */
  readonly attributes: readonly string[];
}

/** A queue's or topic's name (given, or generated as CloudFormation would) and attributes. */
export function queueOrTopic(
  request: ResourceRequest,
  context: DeployContext,
  properties: QueueOrTopicProperties,
): { readonly name: string; readonly attributes: Record<string, string> } {
  const p = request.properties;
  const fifo = String(p[properties.fifo]) === 'true';
  const name =
    (p[properties.name] as string | undefined) ??
    context.physicalName({ maxLength: properties.maxLength, suffix: fifo ? '.fifo' : undefined });
  return { name, attributes: attributesOf(p, properties.attributes) };
}

/** The start-up table's note on a queue, topic or bucket policy: evaluated unless permissions are off. */
export function resourcePolicyNote(mode: IamMode): string {
  return mode === 'off' ? 'stored; not enforced (--iam off)' : `evaluated (--iam ${mode})`;
}

/**
 * A policy resource (AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy): `set` stores the policy on each of the
 * resources the `targets` property lists; `--iam` (`mode`) decides whether it is evaluated.
 */
export function storedPolicy(
  request: ResourceRequest,
  targets: { readonly property: string; readonly what: string },
  set: (target: string, policy: string) => void,
  mode: IamMode,
): ProvisionedResource {
  const listed = request.properties[targets.property];
  if (!Array.isArray(listed) || listed.length === 0) {
    throw new ResourcePropertyError(request, `${targets.property} must list at least one ${targets.what}`);
  }
  const policy = jsonText(request.properties.PolicyDocument) ?? '';
  for (const target of listed) set(String(target), policy);
  const kind = targets.what.split(' ')[0];
  return {
    ref: randomUUID(),
    display: `policy of ${listed.length} ${kind}${listed.length === 1 ? '' : 's'}`,
    note: resourcePolicyNote(mode),
  };
}

/** `[{Key, Value}]` tags as a map. */
export function tagMap(tags: unknown): Record<string, string> | undefined {
  if (!Array.isArray(tags) || tags.length === 0) return undefined;
  return Object.fromEntries(
    tags.map((t: { Key?: unknown; Value?: unknown }) => [String(t.Key), String(t.Value ?? '')]),
  );
}

/** A property a handler cannot use, in CloudFormation's wording for property validation. */
export class ResourcePropertyError extends Error {
  constructor(request: ResourceRequest, detail: string) {
    super(`Properties validation failed for resource ${request.logicalId}: ${detail}`);
    this.name = 'ResourcePropertyError';
  }
}

/** A UUID derived from the stack and logical id, so local key ids are stable across restarts. */
export function stableUuid(request: ResourceRequest): string {
  const hex = createHash('sha256').update(`${request.stackName}/${request.logicalId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
