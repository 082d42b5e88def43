/**
 * AWS Systems Manager Parameter Store: parameters with versions, labels and tags; String, StringList and
 * SecureString types; the Standard and Advanced tiers with their value sizes; paths and filters. One method per
 * AWS operation, SDK shapes in and out; name rules in names.ts, filters in filters.ts.
 *
 * Not emulated: encryption (a SecureString is kept as given; without WithDecryption its value is shown encoded, as
 * AWS shows ciphertext), parameter policies, AllowedPattern (refused: a caller's regular expression cannot be run
 * safely here), AWS's public parameters under `/aws/service/`, and sharing.
 */
import type {
  AddTagsToResourceRequest,
  AddTagsToResourceResult,
  DeleteParameterRequest,
  DeleteParameterResult,
  DeleteParametersRequest,
  DeleteParametersResult,
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  GetParametersRequest,
  GetParametersResult,
  LabelParameterVersionRequest,
  LabelParameterVersionResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  Parameter,
  ParameterHistory,
  ParameterMetadata,
  PutParameterRequest,
  PutParameterResult,
  RemoveTagsFromResourceRequest,
  RemoveTagsFromResourceResult,
  Tag,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResult,
} from '@aws-sdk/client-ssm';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import { pageAfter, pageOf } from '../kit/pagination';
import {
  type CheckedFilter,
  checkParameterFilters,
  legacyFilters,
  matchesFilters,
  underPath,
} from './filters';
import type { ParameterRecord, ParameterTier, ParameterType, ParameterVersion } from './model';
import { checkNewName, checkPath, isValidLabel, type ParameterReference, parseReference } from './names';

export type { ParameterRecord, ParameterVersion } from './model';

/** Who signed a request (its SigV4 access key id), for LastModifiedUser. */
export interface SsmCaller {
  readonly accessKeyId?: string;
}

export interface SsmServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** The ARN of a request's signer (STS knows the sessions it issued). @default the account's root user */
  readonly callerArn?: (caller: SsmCaller) => string;
}

/** AWS: value sizes per tier. */
const MAX_VALUE = { Standard: 4_096, Advanced: 8_192 } as const;
/** AWS: Parameter Store keeps the last 100 versions of a parameter. */
const MAX_VERSIONS = 100;
/** AWS: at most 10 labels on one version. */
const MAX_LABELS = 10;
/** AWS quotas per account and region: 10,000 standard parameters, 100,000 advanced ones. */
const MAX_PARAMETERS = { Standard: 10_000, Advanced: 100_000 } as const;
/** AWS: 50 tags per resource, keys of 1 to 128 characters, values of up to 256. */
const MAX_TAGS = 50;
const DATA_TYPES = ['text', 'aws:ec2:image'];
const TYPES: readonly string[] = ['String', 'StringList', 'SecureString'];
/** AWS's default key for SecureString parameters. */
const DEFAULT_KEY = 'alias/aws/ssm';

/** Told about every durable change (`--state-dir`): a parameter written, labelled, tagged or deleted. */
export interface SsmChanges {
  parameterChanged(name: string): void;
}

export class SsmService {
  private changes: SsmChanges | undefined;
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly callerArn: (caller: SsmCaller) => string;
  private readonly parameters = new Map<string, ParameterRecord>();

  constructor(options: SsmServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.callerArn = options.callerArn ?? (() => `arn:aws:iam::${this.accountId}:root`);
  }

  /** `arn:aws:ssm:REGION:ACCOUNT:parameter/`: a parameter's ARN is this and its name without the leading slash. */
  private get arnPrefix(): string {
    return `arn:aws:ssm:${this.region}:${this.accountId}:parameter/`;
  }

  // ----- writing ---------------------------------------------------------------------------------------------

  putParameter(input: PutParameterRequest, caller: SsmCaller = {}): PutParameterResult {
    const name = required(input.Name, 'name');
    const value = required(input.Value, 'value');
    const problems = new Problems();
    problems.length('name', name, 1, 2048);
    problems.length('value', value, 1, Number.MAX_SAFE_INTEGER);
    if (input.Description !== undefined) problems.length('description', input.Description, 0, 1024);
    if (input.KeyId !== undefined) problems.length('keyId', input.KeyId, 1, 256);
    if (input.Type !== undefined && !TYPES.includes(input.Type)) {
      problems.add(
        'type',
        input.Type,
        'Member must satisfy enum value set: [SecureString, StringList, String]',
      );
    }
    if (input.Tier !== undefined && !['Standard', 'Advanced', 'Intelligent-Tiering'].includes(input.Tier)) {
      problems.add(
        'tier',
        input.Tier,
        'Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]',
      );
    }
    if (input.DataType !== undefined) problems.length('dataType', input.DataType, 0, 128);
    const tags = input.Tags ?? [];
    checkTags(problems, tags);
    problems.throwIfAny();
    // a caller's regular expression cannot be run safely here (JavaScript's engine backtracks)
    if (input.AllowedPattern !== undefined)
      throw validation('AllowedPattern is not supported by the local emulator.');
    if (input.Policies !== undefined) throw validation('Policies is not supported by the local emulator.');
    if (input.Overwrite === true && tags.length > 0) {
      throw validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please " +
          'remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or ' +
          'RemoveTagsFromResource.',
      );
    }
    checkNewName(name, this.arnPrefix);
    const existing = this.parameters.get(name);
    const previous = existing?.versions[existing.versions.length - 1];
    if (previous === undefined && input.Type === undefined) {
      throw validation('A parameter type is required when you create a parameter.');
    }
    const dataType = input.DataType ?? previous?.dataType ?? 'text';
    if (!DATA_TYPES.includes(dataType)) {
      throw validation(
        `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
      );
    }
    const type = (input.Type ?? previous!.type) as ParameterType;
    if (dataType === 'aws:ec2:image' && (type !== 'String' || !isAmiId(value))) {
      throw validation(
        type !== 'String'
          ? 'The data type aws:ec2:image is only supported for parameters of type String.'
          : `The value ${value.slice(0, 64)} is not an AMI ID in the format ami-12345abcdeEXAMPLE.`,
      );
    }
    if (input.KeyId !== undefined && type !== 'SecureString') {
      throw validation(`KeyId is only supported for parameters of type SecureString, not ${type}.`);
    }
    const tier = this.tierFor(input.Tier, value, previous);
    if (existing && input.Overwrite !== true) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (!existing) this.checkQuota(tier);
    if (existing && existing.versions.length >= MAX_VERSIONS && existing.versions[0].labels.length > 0) {
      throw new AwsError(
        'ParameterMaxVersionLimitExceeded',
        `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite ` +
          `flag. Version ${existing.versions[0].version}, the oldest version, can't be deleted because it has a ` +
          'label associated with it. Move the label to another version of the parameter, and try again.',
      );
    }

    const version: ParameterVersion = {
      version: (previous?.version ?? 0) + 1,
      value,
      type,
      // AWS: an overwrite keeps the description and key it does not restate
      description: input.Description ?? previous?.description,
      keyId: type === 'SecureString' ? (input.KeyId ?? previous?.keyId ?? DEFAULT_KEY) : undefined,
      tier,
      dataType,
      lastModifiedDate: this.clock.now(),
      lastModifiedUser: this.callerArn(caller),
      labels: [],
    };
    const record = existing ?? { name, versions: [], tags: new Map<string, string>() };
    record.versions.push(version);
    if (record.versions.length > MAX_VERSIONS) record.versions.shift();
    for (const tag of tags) record.tags.set(tag.Key!, tag.Value ?? '');
    this.parameters.set(name, record);
    this.changes?.parameterChanged(name);
    return { Version: version.version, Tier: tier };
  }

  deleteParameter(input: DeleteParameterRequest): DeleteParameterResult {
    const name = required(input.Name, 'name');
    const problems = new Problems();
    problems.length('name', name, 1, 2048);
    problems.throwIfAny();
    if (!this.parameters.delete(name)) throw parameterNotFound(name);
    this.changes?.parameterChanged(name);
    return {};
  }

  deleteParameters(input: DeleteParametersRequest): DeleteParametersResult {
    const names = required(input.Names, 'names');
    const problems = new Problems();
    problems.count('names', names, 1, 10);
    names.forEach((n, i) => problems.length(`names.${i + 1}.member`, n, 1, 2048));
    problems.throwIfAny();
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) (this.parameters.delete(name) ? deleted : invalid).push(name);
    for (const name of deleted) this.changes?.parameterChanged(name);
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  labelParameterVersion(input: LabelParameterVersionRequest): LabelParameterVersionResult {
    const name = required(input.Name, 'name');
    const labels = required(input.Labels, 'labels');
    const problems = new Problems();
    problems.length('name', name, 1, 2048);
    problems.count('labels', labels, 1, MAX_LABELS);
    problems.throwIfAny();
    const record = this.record(name);
    const version = this.version(record, input.ParameterVersion);
    const invalid = labels.filter((l) => !isValidLabel(l));
    const valid = [...new Set(labels.filter(isValidLabel))];
    const added = valid.filter((l) => !version.labels.includes(l));
    if (version.labels.length + added.length > MAX_LABELS) {
      throw new AwsError(
        'ParameterVersionLabelLimitExceeded',
        `A parameter version can have maximum ${MAX_LABELS} labels. Move one or more labels to another version and try again.`,
      );
    }
    // AWS: a label names one version: labelling this one takes it off any other
    for (const other of record.versions)
      if (other !== version) other.labels = other.labels.filter((l) => !added.includes(l));
    version.labels = [...version.labels, ...added];
    this.changes?.parameterChanged(record.name);
    return { InvalidLabels: invalid, ParameterVersion: version.version };
  }

  unlabelParameterVersion(input: UnlabelParameterVersionRequest): UnlabelParameterVersionResult {
    const name = required(input.Name, 'name');
    const number = required(input.ParameterVersion, 'parameterVersion');
    const labels = required(input.Labels, 'labels');
    const problems = new Problems();
    problems.count('labels', labels, 1, MAX_LABELS);
    problems.throwIfAny();
    const version = this.version(this.record(name), number);
    const removed = labels.filter((l) => version.labels.includes(l));
    version.labels = version.labels.filter((l) => !labels.includes(l));
    this.changes?.parameterChanged(name);
    return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) };
  }

  addTagsToResource(input: AddTagsToResourceRequest): AddTagsToResourceResult {
    const tags = required(input.Tags, 'tags');
    const problems = new Problems();
    checkTags(problems, tags);
    problems.throwIfAny();
    const record = this.taggedResource(input.ResourceType, input.ResourceId);
    const keys = new Set([...record.tags.keys(), ...tags.map((t) => t.Key!)]);
    if (keys.size > MAX_TAGS)
      throw new AwsError('TooManyTagsError', 'The Tag limit for this resource has been exceeded.');
    for (const tag of tags) record.tags.set(tag.Key!, tag.Value ?? '');
    this.changes?.parameterChanged(record.name);
    return {};
  }

  removeTagsFromResource(input: RemoveTagsFromResourceRequest): RemoveTagsFromResourceResult {
    const keys = required(input.TagKeys, 'tagKeys');
    const record = this.taggedResource(input.ResourceType, input.ResourceId);
    for (const key of keys) record.tags.delete(key);
    this.changes?.parameterChanged(record.name);
    return {};
  }

  /** Persistence (`--state-dir`): every durable change from now on is reported to `changes`. */
  persistTo(changes: SsmChanges): void {
    this.changes = changes;
  }

  /** A parameter as kept (persistence); undefined once deleted. */
  parameterRecord(name: string): ParameterRecord | undefined {
    return this.parameters.get(name);
  }

  /** Every parameter (snapshots). */
  parameterRecords(): IterableIterator<ParameterRecord> {
    return this.parameters.values();
  }

  /** Restore: a parameter as it was persisted. */
  adoptParameter(record: ParameterRecord): void {
    this.parameters.set(record.name, record);
  }

  // ----- reading ---------------------------------------------------------------------------------------------

  getParameter(input: GetParameterRequest): GetParameterResult {
    const text = required(input.Name, 'name');
    const problems = new Problems();
    problems.length('name', text, 1, 2048);
    problems.throwIfAny();
    const reference = parseReference(text, this.arnPrefix);
    if (reference === undefined) throw invalidSelector(text);
    const { record, version } = this.selected(reference);
    return { Parameter: this.parameterOf(record, version, reference, input.WithDecryption === true) };
  }

  getParameters(input: GetParametersRequest): GetParametersResult {
    const names = required(input.Names, 'names');
    const problems = new Problems();
    problems.count('names', names, 1, 10);
    names.forEach((n, i) => problems.length(`names.${i + 1}.member`, n, 1, 2048));
    problems.throwIfAny();
    const parameters: Parameter[] = [];
    const invalid: string[] = [];
    for (const text of new Set(names)) {
      const reference = parseReference(text, this.arnPrefix);
      const found = reference && this.find(reference);
      if (reference && found) {
        parameters.push(
          this.parameterOf(found.record, found.version, reference, input.WithDecryption === true),
        );
      } else invalid.push(text);
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  getParametersByPath(input: GetParametersByPathRequest): GetParametersByPathResult {
    const path = checkPath(required(input.Path, 'path'));
    const pageSize = this.pageSize(input.MaxResults, 10);
    const filters = checkParameterFilters(input.ParameterFilters, 'GetParametersByPath');
    const recursive = input.Recursive === true;
    const matching = this.sortedRecords().filter(
      (record) =>
        underPath(record.name, path, recursive) && matchesFilters(record, latestOf(record), filters),
    );
    const page = pageAfter(matching, (r) => r.name, { pageSize, token: input.NextToken, invalidToken });
    return {
      Parameters: page.items.map((record) =>
        this.parameterOf(record, latestOf(record), { name: record.name }, input.WithDecryption === true),
      ),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  describeParameters(input: DescribeParametersRequest): DescribeParametersResult {
    const pageSize = this.pageSize(input.MaxResults, 50);
    if (input.Filters !== undefined && input.ParameterFilters !== undefined) {
      throw validation('You can use either Filters or ParameterFilters in a single request.');
    }
    const filters: CheckedFilter[] = input.Filters
      ? legacyFilters(input.Filters)
      : checkParameterFilters(input.ParameterFilters, 'DescribeParameters');
    // AWS: Shared lists parameters other accounts shared with this one (through AWS RAM): none exist locally
    const records = input.Shared === true ? [] : this.sortedRecords();
    const matching = records.filter((record) => matchesFilters(record, latestOf(record), filters));
    const page = pageAfter(matching, (r) => r.name, { pageSize, token: input.NextToken, invalidToken });
    return {
      Parameters: page.items.map((record) => this.metadataOf(record)),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  getParameterHistory(input: GetParameterHistoryRequest): GetParameterHistoryResult {
    const name = required(input.Name, 'name');
    const pageSize = this.pageSize(input.MaxResults, 50);
    const reference = parseReference(name, this.arnPrefix);
    const record = reference && !reference.selector ? this.parameters.get(reference.name) : undefined;
    if (record === undefined) throw parameterNotFound(name);
    const page = pageOf(record.versions, { pageSize, token: input.NextToken, invalidToken });
    return {
      Parameters: page.items.map((version) => this.historyOf(record, version, input.WithDecryption === true)),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  listTagsForResource(input: ListTagsForResourceRequest): ListTagsForResourceResult {
    const record = this.taggedResource(input.ResourceType, input.ResourceId);
    return { TagList: [...record.tags].map(([Key, Value]) => ({ Key, Value })) };
  }

  // ----- for CloudFormation ----------------------------------------------------------------------------------

  /**
   * A parameter's value (decrypted) for a template's dynamic reference or SSM parameter type: the latest version,
   * or `version`; undefined when there is no such parameter or version.
   */
  parameterValue(
    name: string,
    version?: number,
  ): { readonly value: string; readonly type: string } | undefined {
    const found = this.find(version === undefined ? { name } : { name, selector: `:${version}`, version });
    return found && { value: found.version.value, type: found.version.type };
  }

  // ----- internals -------------------------------------------------------------------------------------------

  private tierFor(requested: string | undefined, value: string, previous?: ParameterVersion): ParameterTier {
    // AWS: Intelligent-Tiering picks Standard unless the value needs Advanced; an Advanced parameter stays so
    let tier: ParameterTier =
      requested === 'Advanced' || (requested === 'Intelligent-Tiering' && value.length > MAX_VALUE.Standard)
        ? 'Advanced'
        : requested === undefined
          ? (previous?.tier ?? 'Standard')
          : 'Standard';
    if (requested === 'Intelligent-Tiering' && previous?.tier === 'Advanced') tier = 'Advanced';
    if (previous?.tier === 'Advanced' && tier === 'Standard') {
      throw validation(
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the " +
          'advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced ' +
          'parameter and recreate it as a standard parameter.',
      );
    }
    if (value.length > MAX_VALUE[tier]) {
      throw validation(
        tier === 'Standard'
          ? `Standard tier parameters support a maximum parameter value of ${MAX_VALUE.Standard} characters. ` +
              'To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.'
          : `Advanced tier parameters support a maximum parameter value of ${MAX_VALUE.Advanced} characters.`,
      );
    }
    return tier;
  }

  private checkQuota(tier: ParameterTier): void {
    let count = 0;
    for (const record of this.parameters.values()) if (latestOf(record).tier === tier) count += 1;
    if (count >= MAX_PARAMETERS[tier]) {
      throw new AwsError(
        'ParameterLimitExceeded',
        'You have exceeded the number of parameters for this AWS account. Delete unnecessary parameters and try again.',
        429,
      );
    }
  }

  private pageSize(maxResults: number | undefined, max: number): number {
    if (maxResults === undefined) return max;
    const problems = new Problems();
    problems.range('maxResults', maxResults, 1, max);
    problems.throwIfAny();
    return maxResults;
  }

  private record(name: string): ParameterRecord {
    const record = this.parameters.get(name);
    if (record === undefined) throw parameterNotFound(name);
    return record;
  }

  /** The version numbered `number`, else the latest. */
  private version(record: ParameterRecord, number: number | undefined): ParameterVersion {
    if (number === undefined) return latestOf(record);
    const version = record.versions.find((v) => v.version === number);
    if (version === undefined) throw versionNotFound(record.name, String(number));
    return version;
  }

  private find(
    reference: ParameterReference,
  ): { record: ParameterRecord; version: ParameterVersion } | undefined {
    const record = this.parameters.get(reference.name);
    if (record === undefined) return undefined;
    const version =
      reference.version !== undefined
        ? record.versions.find((v) => v.version === reference.version)
        : reference.label !== undefined
          ? record.versions.find((v) => v.labels.includes(reference.label!))
          : latestOf(record);
    return version && { record, version };
  }

  private selected(reference: ParameterReference): { record: ParameterRecord; version: ParameterVersion } {
    const record = this.parameters.get(reference.name);
    if (record === undefined) throw parameterNotFound(reference.name);
    const found = this.find(reference);
    if (found === undefined) throw versionNotFound(reference.name, reference.selector!.slice(1));
    return found;
  }

  private sortedRecords(): ParameterRecord[] {
    return [...this.parameters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private taggedResource(type: string | undefined, id: string | undefined): ParameterRecord {
    const resourceType = required(type, 'resourceType');
    const resourceId = required(id, 'resourceId');
    if (resourceType !== 'Parameter') {
      throw new AwsError(
        'InvalidResourceType',
        `ResourceType ${resourceType.slice(0, 64)} is not supported by the local emulator: only Parameter is.`,
      );
    }
    const record = this.parameters.get(resourceId);
    if (record === undefined) {
      throw new AwsError('InvalidResourceId', 'The resource ID is not valid. Verify the ID and try again.');
    }
    return record;
  }

  private arnOf(name: string): string {
    return `${this.arnPrefix}${name.startsWith('/') ? name.slice(1) : name}`;
  }

  private shownValue(version: ParameterVersion, decrypt: boolean): string {
    // AWS answers a SecureString without WithDecryption with its ciphertext; locally an encoding stands in for it
    return version.type === 'SecureString' && !decrypt
      ? Buffer.from(`${version.keyId}:${version.value}`).toString('base64')
      : version.value;
  }

  private parameterOf(
    record: ParameterRecord,
    version: ParameterVersion,
    reference: ParameterReference,
    decrypt: boolean,
  ): Parameter {
    return {
      Name: record.name,
      Type: version.type,
      Value: this.shownValue(version, decrypt),
      Version: version.version,
      ...(reference.selector ? { Selector: reference.selector } : {}),
      LastModifiedDate: new Date(version.lastModifiedDate),
      ARN: this.arnOf(record.name),
      DataType: version.dataType,
    };
  }

  private metadataOf(record: ParameterRecord): ParameterMetadata {
    const latest = latestOf(record);
    return {
      Name: record.name,
      ARN: this.arnOf(record.name),
      Type: latest.type,
      ...(latest.keyId ? { KeyId: latest.keyId } : {}),
      LastModifiedDate: new Date(latest.lastModifiedDate),
      LastModifiedUser: latest.lastModifiedUser,
      ...(latest.description !== undefined ? { Description: latest.description } : {}),
      Version: latest.version,
      Tier: latest.tier,
      Policies: [],
      DataType: latest.dataType,
    };
  }

  private historyOf(record: ParameterRecord, version: ParameterVersion, decrypt: boolean): ParameterHistory {
    return {
      Name: record.name,
      Type: version.type,
      ...(version.keyId ? { KeyId: version.keyId } : {}),
      LastModifiedDate: new Date(version.lastModifiedDate),
      LastModifiedUser: version.lastModifiedUser,
      ...(version.description !== undefined ? { Description: version.description } : {}),
      Value: this.shownValue(version, decrypt),
      Version: version.version,
      Labels: [...version.labels],
      Tier: version.tier,
      Policies: [],
      DataType: version.dataType,
    };
  }
}

function latestOf(record: ParameterRecord): ParameterVersion {
  return record.versions[record.versions.length - 1];
}

/** `ami-` and 8 or 17 hexadecimal digits, as EC2 image ids are. */
function isAmiId(value: string): boolean {
  const digits = value.slice(4);
  return (
    value.startsWith('ami-') &&
    (digits.length === 8 || digits.length === 17) &&
    [...digits].every((c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
  );
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/** AWS answers a missing parameter with the code alone (an empty message). */
function parameterNotFound(_name: string): AwsError {
  return new AwsError('ParameterNotFound', '', 400);
}

function versionNotFound(name: string, selector: string): AwsError {
  return new AwsError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${selector.slice(0, 100)} of ${name}. Verify the version and try again.`,
  );
}

function invalidSelector(text: string): AwsError {
  return validation(
    `Invalid parameter name ${text.slice(0, 256)}: a name takes at most one selector, a version number from 1 or a label.`,
  );
}

function invalidToken(): AwsError {
  return new AwsError('InvalidNextToken', 'The specified token is not valid.');
}

function required<T>(value: T | undefined, member: string): T {
  if (value === undefined) {
    throw validation(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function checkTags(problems: Problems, tags: readonly Tag[]): void {
  problems.count('tags', tags, 0, MAX_TAGS);
  tags.forEach((tag, i) => {
    problems.length(`tags.${i + 1}.member.key`, tag.Key ?? '', 1, 128);
    problems.length(`tags.${i + 1}.member.value`, tag.Value ?? '', 0, 256);
  });
}

/** The constraint violations of one request, reported in one ValidationException as AWS's front end does. */
class Problems {
  private readonly problems: string[] = [];

  length(member: string, text: string, min: number, max: number): void {
    if (text.length < min) this.add(member, text, `Member must have length greater than or equal to ${min}`);
    else if (text.length > max)
      this.add(member, text, `Member must have length less than or equal to ${max}`);
  }

  count(member: string, items: readonly unknown[], min: number, max: number): void {
    if (items.length < min || items.length > max) {
      this.add(
        member,
        `[${items.length} items]`,
        items.length < min
          ? `Member must have length greater than or equal to ${min}`
          : `Member must have length less than or equal to ${max}`,
      );
    }
  }

  range(member: string, value: number, min: number, max: number): void {
    if (value < min) this.add(member, value, `Member must have value greater than or equal to ${min}`);
    else if (value > max) this.add(member, value, `Member must have value less than or equal to ${max}`);
  }

  add(member: string, value: unknown, constraint: string): void {
    const text = String(value);
    const shown = text.length > 256 ? `${text.slice(0, 256)}...` : text;
    this.problems.push(`Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  throwIfAny(): void {
    const n = this.problems.length;
    if (n > 0) {
      throw validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`);
    }
  }
}
