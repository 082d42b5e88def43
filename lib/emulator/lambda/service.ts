/**
 * The Lambda service of the emulator: functions (each run by the {@link FunctionRuntime} from its code: a
 * directory, or a .zip unpacked by code-package.ts), their control plane (code and configuration updates,
 * versions, aliases, resource policies), the Invoke operation (RequestResponse, Event, DryRun), asynchronous
 * invocation with retries and destinations, SQS event source mappings, and the hook through which S3 and SNS
 * invoke functions.
 *
 *   await emu.lambda.createFunction({ functionName: 'fn', codeDirectory: 'cdk.out/asset.1234', handler: 'index.handler', runtime: 'nodejs24.x' });
 *   await emu.lambda.updateFunctionCode('fn', { code: { s3Bucket: 'assets', s3Key: 'abc.zip' } });
 *   const { statusCode, payload } = await emu.lambda.invoke('fn', { hello: 'world' });
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import { parseFilterPattern } from '../kit/filter-patterns';
import type { LogsService } from '../logs/service';
import type { S3Service } from '../s3/service';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import { type AsyncInvokeConfig, AsyncInvoker } from './async-invocation';
import {
  type CodePackage,
  codeZipFromS3,
  directoryPackage,
  type FunctionCode,
  unpackCodePackage,
} from './code-package';
import type { IntegrationGuard } from '../kit/arn-delivery';
import { sendInvocationRecord } from './destinations';
import { FunctionLogWriter } from './function-logs';
import {
  type FunctionConfiguration,
  FunctionConfigurationError,
  type FunctionLogLine,
  FunctionRuntime,
  nodeRuntimeMajor,
  printFunctionLog,
  type InvocationResult,
} from './function-runtime';
import { type BatchReport, SqsEventSourceMapping } from './sqs-event-source';
import { checkKinesisMapping, KinesisEventSourceMapping, kinesisSettingsOf } from './kinesis-event-source';
import type { KinesisService } from '../kinesis/service';
import { LAMBDA_RESERVED_VARIABLES } from '../../lambda-reserved-variables';

export interface LambdaServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** The emulator's endpoint, given to every function as AWS_ENDPOINT_URL; read when a function is created. */
  readonly endpoint: () => string;
  readonly sqs: SqsService;
  /** Kinesis, for event source mappings on streams (asked when a mapping starts). */
  readonly kinesis?: () => KinesisService | undefined;
  readonly sns: SnsService;
  readonly functions: FunctionRegistry;
  readonly deliveries: DeliveryTracker;
  readonly activity: ActivityLog;
  /** Where CreateFunction and UpdateFunctionCode read `S3Bucket`/`S3Key` code. @default none: S3 code refused */
  readonly s3?: S3Service;
  /** Receives every line a function prints. @default print it prefixed with the function name */
  readonly onLog?: (line: FunctionLogLine) => void;
  /** CloudWatch Logs, where functions' output and START/END/REPORT lines go. @default none: printed only */
  readonly logs?: LogsService;
  /**
   * A session of the function's execution role (`--iam`), as Lambda gives each function; undefined (permissions
   * off): the account administrator's placeholder keys. @default none
   */
  readonly credentialsFor?: (
    roleArn: string,
    sessionName: string,
  ) =>
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string }
    | undefined;
  /**
   * `--iam`: whether a function's execution role may do `action` on `resource` (event source mappings and
   * destinations act as the function's role, as on AWS); why not, or undefined. @default allowed
   */
  readonly roleMayAccess?: (roleArn: string, action: string, resource: string) => string | undefined;
}

/** LoggingConfig as CreateFunction and UpdateFunctionConfiguration take it (Text format only here). */
export interface LoggingConfigInput {
  readonly logGroup?: string;
  readonly logFormat?: string;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
}

export type { FunctionCode } from './code-package';

export interface CreateFunctionInput {
  readonly functionName: string;
  /** Directory of the unpacked code (a cdk.out asset directory). Give this or {@link code}. */
  readonly codeDirectory?: string;
  /** The code as CreateFunction's `Code` gives it. */
  readonly code?: FunctionCode;
  /** `file.export`. */
  readonly handler: string;
  readonly runtime: string;
  /** The execution role's ARN (stored; the emulator does not assume it). @default a local placeholder role */
  readonly role?: string;
  /** Seconds. @default 3 (Lambda's default) */
  readonly timeout?: number;
  /** MB. @default 128 (Lambda's default) */
  readonly memorySize?: number;
  /** The function's own variables; the emulator adds the standard ones. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Reserved concurrency; without it, {@link LOCAL_CONCURRENCY}. */
  readonly reservedConcurrentExecutions?: number;
  readonly description?: string;
  /** `x86_64` or `arm64` (recorded; the code runs on this machine). @default ['x86_64'] */
  readonly architectures?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Publishes version 1 as well. */
  readonly publish?: boolean;
  /** Where its output goes in CloudWatch Logs. @default `/aws/lambda/<functionName>`, Text format */
  readonly loggingConfig?: LoggingConfigInput;
  /**
   * CreateFunction on the wire: a function of that name already there is ResourceConflictException, and a
   * handler whose file is missing fails its invocations (as on AWS) instead of the create. @default false
   */
  readonly strict?: boolean;
}

/** A function (or one of its versions) as GetFunctionConfiguration describes it. */
export interface FunctionDescription {
  readonly FunctionName: string;
  readonly FunctionArn: string;
  readonly Runtime: string;
  readonly Role: string;
  readonly Handler: string;
  readonly CodeSize: number;
  readonly CodeSha256: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  readonly Description: string;
  readonly Version: string;
  readonly State: 'Active';
  readonly LastUpdateStatus: 'Successful';
  readonly PackageType: 'Zip';
  readonly Architectures: readonly string[];
  readonly Environment: { readonly Variables: Record<string, string> };
  readonly TracingConfig: { readonly Mode: 'PassThrough' };
  readonly EphemeralStorage: { readonly Size: 512 };
  readonly LoggingConfig: { readonly LogFormat: 'Text'; readonly LogGroup: string };
  readonly RevisionId: string;
  readonly LastModified: string;
}

/** The members UpdateFunctionConfiguration changes; the rest stay. */
export interface FunctionConfigurationUpdate {
  readonly role?: string;
  readonly handler?: string;
  readonly description?: string;
  readonly timeout?: number;
  readonly memorySize?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly runtime?: string;
  readonly revisionId?: string;
  readonly loggingConfig?: LoggingConfigInput;
}

export interface FunctionCodeUpdate {
  readonly code: FunctionCode;
  readonly publish?: boolean;
  /** Checks the request and the package, changes nothing. */
  readonly dryRun?: boolean;
  readonly revisionId?: string;
  readonly architectures?: readonly string[];
}

/** An alias as GetAlias describes it. */
export interface AliasDescription {
  readonly AliasArn: string;
  readonly Name: string;
  readonly FunctionVersion: string;
  readonly Description: string;
  readonly RevisionId: string;
}

/** AddPermission's members (stored in the function's resource policy; not enforced). */
export interface PermissionInput {
  readonly statementId: string;
  readonly action: string;
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  readonly principalOrgId?: string;
  readonly eventSourceToken?: string;
  readonly functionUrlAuthType?: string;
  readonly qualifier?: string;
  readonly revisionId?: string;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** What Invoke answers. */
export interface InvokeOutput {
  readonly statusCode: 200 | 202 | 204;
  readonly requestId: string;
  /** The function's result, or Lambda's error object when `functionError` is set (RequestResponse only). */
  readonly payload?: unknown;
  readonly functionError?: 'Unhandled';
  /** `$LATEST` or the version an alias or qualifier resolved to. */
  readonly executedVersion?: string;
  /** The invocation's log lines, START to REPORT (RequestResponse only). */
  readonly log?: string;
}

export interface EventSourceMappingInput {
  readonly eventSourceArn: string;
  /** A name, ARN or partial ARN, optionally qualified with a version or alias. */
  readonly functionName: string;
  readonly batchSize?: number;
  readonly maximumBatchingWindowInSeconds?: number;
  readonly functionResponseTypes?: readonly string[];
  readonly maximumConcurrency?: number;
  /** FilterCriteria.Filters[].Pattern, JSON text. */
  readonly filterPatterns?: readonly string[];
  /** @default true */
  readonly enabled?: boolean;
  /** Kinesis sources: where reading starts, and what happens to a failing batch (kinesis-event-source.ts). */
  readonly startingPosition?: string;
  readonly startingPositionTimestamp?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  readonly maximumRetryAttempts?: number;
  readonly maximumRecordAgeInSeconds?: number;
  readonly onFailureDestination?: string;
}

/** UpdateEventSourceMapping: the members given change, the others stay. */
export type EventSourceMappingUpdate = Partial<Omit<EventSourceMappingInput, 'eventSourceArn'>>;

/** A mapping as GetEventSourceMapping describes it. */
export interface EventSourceMappingDescription {
  readonly UUID: string;
  readonly EventSourceMappingArn: string;
  readonly EventSourceArn: string;
  readonly FunctionArn: string;
  readonly BatchSize: number;
  readonly MaximumBatchingWindowInSeconds: number;
  readonly FunctionResponseTypes: readonly string[];
  readonly FilterCriteria?: { readonly Filters: ReadonlyArray<{ readonly Pattern: string }> };
  readonly ScalingConfig?: { readonly MaximumConcurrency: number };
  readonly LastModified: Date;
  readonly LastProcessingResult: string;
  readonly State: 'Enabled' | 'Disabled' | 'Deleting';
  readonly StateTransitionReason: 'USER_INITIATED';
  /** Kinesis sources only. */
  readonly StartingPosition?: string;
  readonly StartingPositionTimestamp?: Date;
  readonly BisectBatchOnFunctionError?: boolean;
  readonly MaximumRetryAttempts?: number;
  readonly MaximumRecordAgeInSeconds?: number;
  readonly DestinationConfig?: { readonly OnFailure: { readonly Destination?: string } };
}

/** Local default for functions without reserved concurrency: enough for a workshop, gentle on a laptop. */
export const LOCAL_CONCURRENCY = 10;
/** AWS: payload limits, 6 MB for synchronous and 1 MB for asynchronous invocations. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
/** AWS: Lambda returns the last 4 KB of the log with LogType Tail. */
const LOG_TAIL_BYTES = 4096;
/**
 * AWS's bounds on the numbers a function and its configurations carry (API reference). Checked before use:
 * a timeout becomes a timer, a concurrency the number of worker threads or of SQS pollers.
 */
const LIMITS = {
  timeout: [1, 900],
  memorySize: [128, 10_240],
  batchSize: [1, 10_000],
  maximumBatchingWindowInSeconds: [0, 300],
  'scalingConfig.maximumConcurrency': [2, 1000],
  maximumRetryAttempts: [0, 2],
  maximumEventAgeInSeconds: [60, 21_600],
} as const;
/** AWS: the account's concurrency (1,000 by default) less the 100 that must stay unreserved. */
const MAX_RESERVED_CONCURRENCY = 900;

/** AWS: environment variables of a function total at most 4 KB. */
const MAX_ENVIRONMENT_BYTES = 4096;
/** AWS: Role must be an IAM role ARN (the pattern of the API reference; linear: no nested repetition). */
const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const ROLE = new RegExp(`^(?:${ROLE_PATTERN})$`);
/** AWS: an alias name is 1 to 128 of `[a-zA-Z0-9-_]`, not all digits (those are versions). */
const ALIAS_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const ARCHITECTURES = new Set(['x86_64', 'arm64']);
/** The role a function created in-process without one reports. */
const LOCAL_ROLE = 'arn:aws:iam::000000000000:role/local-emulator-function-role';

/** What a function's settings are at one version. */
export interface FunctionSettings {
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly architectures: readonly string[];
  readonly reservedConcurrentExecutions?: number;
  /** LoggingConfig.LogGroup; absent: `/aws/lambda/<name>`. */
  readonly logGroup?: string;
}

/** `$LATEST` or a published version: settings, code, and what the runtime runs. */
interface FunctionVersion {
  readonly version: string;
  readonly settings: FunctionSettings;
  readonly code: CodePackage;
  readonly configuration: FunctionConfiguration;
  readonly revisionId: string;
  readonly lastModified: string;
}

interface Alias {
  readonly name: string;
  readonly functionVersion: string;
  readonly description: string;
  readonly revisionId: string;
}

interface DeployedFunction {
  readonly name: string;
  readonly arn: string;
  latest: FunctionVersion;
  readonly versions: Map<string, FunctionVersion>;
  readonly aliases: Map<string, Alias>;
  /** Resource policy statements by qualifier ('' for the function itself), then by Sid. */
  readonly policies: Map<string, Map<string, Record<string, unknown>>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Directories this emulator unpacked for the function (removed with it). */
  readonly packages: string[];
  nextVersion: number;
}

interface MappingState {
  readonly uuid: string;
  readonly input: EventSourceMappingInput;
  readonly functionArn: string;
  readonly lastModified: number;
  readonly poller: SqsEventSourceMapping | KinesisEventSourceMapping;
}

/** Told about every durable change (`--state-dir`): functions (versions, aliases, policies), mappings. */
export interface LambdaChanges {
  functionChanged(name: string): void;
  mappingChanged(uuid: string): void;
  invokeConfigChanged(name: string, config: AsyncInvokeConfig): void;
}

/** A version as persistence keeps it. */
export interface FunctionVersionState {
  readonly version: string;
  readonly settings: FunctionSettings;
  readonly code: CodePackage;
  readonly revisionId: string;
  readonly lastModified: string;
}

/** A function as persistence keeps it. */
export interface FunctionState {
  readonly name: string;
  readonly latest: FunctionVersionState;
  readonly versions: readonly FunctionVersionState[];
  readonly aliases: readonly AliasState[];
  /** Resource policy statements by qualifier ('' for the function itself). */
  readonly policies: readonly (readonly [string, readonly Record<string, unknown>[]])[];
  readonly tags: Readonly<Record<string, string>>;
  readonly nextVersion: number;
}

export interface AliasState {
  readonly name: string;
  readonly functionVersion: string;
  readonly description: string;
  readonly revisionId: string;
}

/** An event source mapping as persistence keeps it. */
export interface MappingStateValue {
  readonly uuid: string;
  readonly input: EventSourceMappingInput;
  readonly lastModified: number;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

export class LambdaService {
  readonly runtime: FunctionRuntime;
  private readonly functions = new Map<string, DeployedFunction>();
  private readonly mappings = new Map<string, MappingState>();
  private readonly asyncInvoker: AsyncInvoker;
  /** Log lines of invocations in flight, by request id, for LogType Tail. */
  private readonly logs = new Map<string, string[]>();
  private workDirectory: string | undefined;
  private packageCount = 0;
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  private changes: LambdaChanges | undefined;

  constructor(private readonly options: LambdaServiceOptions) {
    const print = options.onLog ?? printFunctionLog;
    const cloudWatchLogs = options.logs && new FunctionLogWriter(options.logs, options.clock);
    this.runtime = new FunctionRuntime({
      onLog: (line, destination) => {
        if (line.requestId !== undefined) this.logs.get(line.requestId)?.push(line.line);
        if (destination) cloudWatchLogs?.line(line, destination);
        print(line);
      },
      onInvocation: cloudWatchLogs && ((event) => cloudWatchLogs.invocation(event)),
      now: () => options.clock.now(),
    });
    this.asyncInvoker = new AsyncInvoker({
      clock: options.clock,
      deliveries: options.deliveries,
      invoke: (name, event, requestId) => this.run(name, event, requestId, triggerOf(event)),
      sendToDestination: (arn, record) =>
        sendInvocationRecord(options, arn, record, this.roleGuardOf(record.requestContext.functionArn)),
    });
  }

  get region(): string {
    return this.options.region;
  }

  arnOf(functionName: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${functionName}`;
  }

  /**
   * CreateFunction. In-process (the deploy engine) it replaces a function of the same name; with `strict`
   * (the wire) that is ResourceConflictException. Everything is checked, and the code unpacked, before the
   * function exists.
   */
  async createFunction(input: CreateFunctionInput): Promise<FunctionDescription> {
    const name = input.functionName;
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw invalidParameterValue(
        `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    }
    if (input.strict && this.functions.has(name)) {
      throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
    }
    const settings = this.checkSettings(name, {
      runtime: input.runtime,
      handler: input.handler,
      role: input.role ?? LOCAL_ROLE,
      timeout: checkRange(input.timeout, 'timeout') ?? 3,
      memorySize: checkRange(input.memorySize, 'memorySize') ?? 128,
      description: input.description ?? '',
      environment: { ...input.environment },
      architectures: checkArchitectures(input.architectures) ?? ['x86_64'],
      reservedConcurrentExecutions: checkReserved(input.reservedConcurrentExecutions),
      logGroup: checkLogging(input.loggingConfig),
    });
    const code =
      input.code ?? (input.codeDirectory !== undefined ? { directory: input.codeDirectory } : undefined);
    if (!code) throw invalidParameterValue('Please provide a source for function code.');
    const packaged = await this.packageOf(name, code);
    // another CreateFunction of the name may have finished while this one unpacked
    if (input.strict && this.functions.has(name)) {
      if (packaged.owned) this.removePackages([packaged.owned]);
      throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
    }
    const fn: DeployedFunction = {
      name,
      arn: this.arnOf(name),
      latest: undefined as unknown as FunctionVersion,
      versions: new Map(),
      aliases: new Map(),
      policies: new Map(),
      tags: { ...input.tags },
      packages: packaged.owned ? [packaged.owned] : [],
      nextVersion: 1,
    };
    try {
      fn.latest = await this.defineVersion(fn, '$LATEST', settings, packaged.code, input.strict ?? false);
    } catch (error) {
      this.removePackages(fn.packages);
      throw error;
    }
    const replaced = this.functions.get(name);
    // its $LATEST environments were retired by the define above; its versions go with it
    if (replaced) this.removeFunction(replaced, { keepLatest: true });
    this.functions.set(name, fn);
    // S3 notifications and SNS subscriptions invoke asynchronously, through the shared hook
    this.options.functions.register(fn.arn, (event) => {
      this.asyncInvoker.invoke(name, fn.arn, event);
    });
    this.changes?.functionChanged(name);
    // AWS: with Publish, the answer describes the version published
    if (input.publish) return this.publishVersion(name);
    return this.describe(fn, fn.latest);
  }

  /** GetFunctionConfiguration: `$LATEST`, a version, or the version an alias points to. */
  getFunction(nameOrArn: string, qualifier?: string): FunctionDescription {
    const { fn, version } = this.resolve(nameOrArn, qualifier);
    return this.describe(fn, version);
  }

  /** GetFunction's Code and Tags: where the package can be downloaded (a URL of this emulator). */
  getFunctionCode(
    nameOrArn: string,
    qualifier?: string,
  ): { readonly location: string; readonly tags: Readonly<Record<string, string>> } {
    const { fn, version } = this.resolve(nameOrArn, qualifier);
    const location = version.code.zipFile
      ? `${this.options.endpoint()}${CODE_LOCATION_PREFIX}/${fn.name}/${encodeURIComponent(version.version)}/${codeToken(version.code)}.zip`
      : // a cdk.out asset directory has no .zip: its path on this machine
        `file://${version.code.directory}`;
    return { location, tags: fn.tags };
  }

  /** The .zip a Code.Location names, or undefined (its token must match: a location is not guessable). */
  codePackageZip(functionName: string, version: string, token: string): string | undefined {
    const fn = this.functions.get(functionName);
    const v = version === '$LATEST' ? fn?.latest : fn?.versions.get(version);
    if (!v?.code.zipFile || codeToken(v.code) !== token) return undefined;
    return v.code.zipFile;
  }

  listFunctions(): FunctionDescription[] {
    return [...this.functions.values()].map((f) => this.describe(f, f.latest));
  }

  /** ListFunctions with FunctionVersion ALL: every function's `$LATEST` and published versions. */
  listAllVersions(): FunctionDescription[] {
    return [...this.functions.values()].flatMap((f) => this.listVersionsByFunction(f.name));
  }

  /** DeleteFunction: the whole function, or one published version (`qualifier`). */
  deleteFunction(nameOrArn: string, qualifier?: string): void {
    const { fn, version: named } = this.parseName(nameOrArn, qualifier);
    const version = named;
    if (version === '$LATEST') {
      throw invalidParameterValue('$LATEST version cannot be deleted without deleting the function.');
    }
    if (version !== undefined) {
      const v = fn.versions.get(version);
      if (!v) throw this.notFound(fn.name, version);
      const referencing = [...fn.aliases.values()].filter((a) => a.functionVersion === version);
      if (referencing.length > 0) {
        throw new AwsError(
          'ResourceConflictException',
          `Unable to delete version because the following aliases reference it: [${referencing.map((a) => a.name).join(', ')}]`,
          409,
        );
      }
      fn.versions.delete(version);
      this.runtime.remove(`${fn.name}:${version}`);
      this.changes?.functionChanged(fn.name);
      return;
    }
    this.removeFunction(fn, { keepLatest: false });
    this.functions.delete(fn.name);
    this.changes?.functionChanged(fn.name);
  }

  /** UpdateFunctionCode: the next invocation runs the new code; those in flight finish on the old. */
  async updateFunctionCode(nameOrArn: string, update: FunctionCodeUpdate): Promise<FunctionDescription> {
    const fn = this.unqualified(nameOrArn);
    this.checkRevision(fn.latest.revisionId, update.revisionId);
    const architectures = checkArchitectures(update.architectures) ?? fn.latest.settings.architectures;
    const packaged = await this.packageOf(fn.name, update.code);
    if (update.dryRun) {
      if (packaged.owned) this.removePackages([packaged.owned]);
      return {
        ...this.describe(fn, fn.latest),
        CodeSha256: packaged.code.codeSha256,
        CodeSize: packaged.code.codeSize,
      };
    }
    const previous = fn.latest.code;
    try {
      const settings = { ...fn.latest.settings, architectures };
      fn.latest = await this.defineVersion(fn, '$LATEST', settings, packaged.code, true);
    } catch (error) {
      if (packaged.owned) this.removePackages([packaged.owned]);
      throw error;
    }
    if (packaged.owned) fn.packages.push(packaged.owned);
    this.releasePackage(fn, previous);
    this.changes?.functionChanged(fn.name);
    if (update.publish) return this.publishVersion(fn.name);
    return this.describe(fn, fn.latest);
  }

  /** UpdateFunctionConfiguration: the members given change; new invocations run with them. */
  async updateFunctionConfiguration(
    nameOrArn: string,
    update: FunctionConfigurationUpdate,
  ): Promise<FunctionDescription> {
    const fn = this.unqualified(nameOrArn);
    this.checkRevision(fn.latest.revisionId, update.revisionId);
    const current = fn.latest.settings;
    const settings = this.checkSettings(fn.name, {
      ...current,
      runtime: update.runtime ?? current.runtime,
      handler: update.handler ?? current.handler,
      role: update.role ?? current.role,
      timeout: checkRange(update.timeout, 'timeout') ?? current.timeout,
      memorySize: checkRange(update.memorySize, 'memorySize') ?? current.memorySize,
      description: update.description ?? current.description,
      environment: update.environment !== undefined ? { ...update.environment } : current.environment,
      logGroup: update.loggingConfig !== undefined ? checkLogging(update.loggingConfig) : current.logGroup,
    });
    fn.latest = await this.defineVersion(fn, '$LATEST', settings, fn.latest.code, true);
    this.changes?.functionChanged(fn.name);
    return this.describe(fn, fn.latest);
  }

  /**
   * PublishVersion: a snapshot of `$LATEST`. AWS: when neither code nor configuration changed since the last
   * version, that version is returned and no new one is made.
   */
  async publishVersion(
    nameOrArn: string,
    options: {
      readonly codeSha256?: string;
      readonly description?: string;
      readonly revisionId?: string;
    } = {},
  ): Promise<FunctionDescription> {
    const fn = this.unqualified(nameOrArn);
    const latest = fn.latest;
    if (options.codeSha256 !== undefined && options.codeSha256 !== latest.code.codeSha256) {
      throw invalidParameterValue(
        `CodeSHA256 (${options.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.code.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    this.checkRevision(latest.revisionId, options.revisionId);
    const last = [...fn.versions.values()].at(-1);
    if (
      last &&
      last.code.codeSha256 === latest.code.codeSha256 &&
      sameSettings(last.settings, latest.settings)
    ) {
      return this.describe(fn, last);
    }
    checkDescription(options.description);
    const version = String(fn.nextVersion);
    const settings = { ...latest.settings, description: options.description ?? latest.settings.description };
    const published = await this.defineVersion(fn, version, settings, latest.code, true);
    fn.nextVersion += 1;
    fn.versions.set(version, published);
    this.changes?.functionChanged(fn.name);
    return this.describe(fn, published);
  }

  /** ListVersionsByFunction: `$LATEST`, then the published versions in order. */
  listVersionsByFunction(nameOrArn: string): FunctionDescription[] {
    const fn = this.unqualified(nameOrArn);
    return [fn.latest, ...fn.versions.values()].map((v) => this.describe(fn, v));
  }

  createAlias(
    nameOrArn: string,
    input: { readonly name: string; readonly functionVersion: string; readonly description?: string },
  ): AliasDescription {
    const fn = this.unqualified(nameOrArn);
    checkAliasName(input.name);
    checkDescription(input.description);
    this.checkAliasTarget(fn, input.functionVersion);
    if (fn.aliases.has(input.name)) {
      throw new AwsError('ResourceConflictException', `Alias already exists: ${fn.arn}:${input.name}`, 409);
    }
    const alias: Alias = {
      name: input.name,
      functionVersion: input.functionVersion,
      description: input.description ?? '',
      revisionId: randomUUID(),
    };
    fn.aliases.set(alias.name, alias);
    this.changes?.functionChanged(fn.name);
    return this.describeAlias(fn, alias);
  }

  getAlias(nameOrArn: string, aliasName: string): AliasDescription {
    const fn = this.unqualified(nameOrArn);
    return this.describeAlias(fn, this.aliasOf(fn, aliasName));
  }

  updateAlias(
    nameOrArn: string,
    aliasName: string,
    update: {
      readonly functionVersion?: string;
      readonly description?: string;
      readonly revisionId?: string;
    },
  ): AliasDescription {
    const fn = this.unqualified(nameOrArn);
    const alias = this.aliasOf(fn, aliasName);
    this.checkRevision(alias.revisionId, update.revisionId);
    checkDescription(update.description);
    if (update.functionVersion !== undefined) this.checkAliasTarget(fn, update.functionVersion);
    const updated: Alias = {
      ...alias,
      functionVersion: update.functionVersion ?? alias.functionVersion,
      description: update.description ?? alias.description,
      revisionId: randomUUID(),
    };
    fn.aliases.set(alias.name, updated);
    this.changes?.functionChanged(fn.name);
    return this.describeAlias(fn, updated);
  }

  deleteAlias(nameOrArn: string, aliasName: string): void {
    const fn = this.unqualified(nameOrArn);
    // AWS: deleting an alias that is not there succeeds
    if (fn.aliases.delete(aliasName)) this.changes?.functionChanged(fn.name);
  }

  listAliases(nameOrArn: string, functionVersion?: string): AliasDescription[] {
    const fn = this.unqualified(nameOrArn);
    return [...fn.aliases.values()]
      .filter((a) => functionVersion === undefined || a.functionVersion === functionVersion)
      .map((a) => this.describeAlias(fn, a));
  }

  /** AddPermission: the statement is stored in the resource policy (the emulator does not enforce it). */
  addPermission(nameOrArn: string, input: PermissionInput): { readonly statement: string } {
    const { fn, version } = this.resolve(nameOrArn, input.qualifier);
    this.checkRevision(fn.latest.revisionId, input.revisionId);
    if (!/^[a-zA-Z0-9._-]{1,100}$/.test(input.statementId)) {
      throw validationException(
        `Value '${input.statementId}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)`,
      );
    }
    if (!/^[^\s]{1,256}$/.test(input.principal)) {
      throw validationException(
        `Value '${input.principal}' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`,
      );
    }
    const qualifier = input.qualifier ?? '';
    const statements = fn.policies.get(qualifier) ?? new Map<string, Record<string, unknown>>();
    if (statements.has(input.statementId)) {
      throw new AwsError(
        'ResourceConflictException',
        `The statement id (${input.statementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        409,
      );
    }
    const condition: Record<string, Record<string, string>> = {};
    if (input.sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.sourceArn };
    if (input.sourceAccount !== undefined) {
      condition.StringEquals = { ...condition.StringEquals, 'AWS:SourceAccount': input.sourceAccount };
    }
    if (input.principalOrgId !== undefined) {
      condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': input.principalOrgId };
    }
    if (input.eventSourceToken !== undefined) {
      condition.StringEquals = {
        ...condition.StringEquals,
        'lambda:EventSourceToken': input.eventSourceToken,
      };
    }
    if (input.functionUrlAuthType !== undefined) {
      condition.StringEquals = {
        ...condition.StringEquals,
        'lambda:FunctionUrlAuthType': input.functionUrlAuthType,
      };
    }
    const principal = /^\d{12}$/.test(input.principal)
      ? { AWS: `arn:aws:iam::${input.principal}:root` }
      : input.principal.includes('.')
        ? { Service: input.principal }
        : input.principal === '*'
          ? '*'
          : { AWS: input.principal };
    const statement = {
      Sid: input.statementId,
      Effect: 'Allow',
      Principal: principal,
      Action: input.action,
      Resource: qualifier ? `${fn.arn}:${qualifier}` : fn.arn,
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
    void version;
    statements.set(input.statementId, statement);
    fn.policies.set(qualifier, statements);
    this.changes?.functionChanged(fn.name);
    return { statement: JSON.stringify(statement) };
  }

  removePermission(nameOrArn: string, statementId: string, qualifier?: string, revisionId?: string): void {
    const { fn } = this.resolve(nameOrArn, qualifier);
    this.checkRevision(fn.latest.revisionId, revisionId);
    const statements = fn.policies.get(qualifier ?? '');
    if (!statements?.delete(statementId)) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Statement ${statementId} is not found in resource policy.`,
        404,
      );
    }
    this.changes?.functionChanged(fn.name);
  }

  /** GetPolicy: the resource policy AddPermission built, as JSON text. */
  getPolicy(nameOrArn: string, qualifier?: string): { readonly policy: string; readonly revisionId: string } {
    const { fn } = this.resolve(nameOrArn, qualifier);
    const statements = [...(fn.policies.get(qualifier ?? '')?.values() ?? [])];
    if (statements.length === 0) {
      throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    }
    return {
      policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
      revisionId: fn.latest.revisionId,
    };
  }

  /** The Invoke operation. */
  async invoke(
    nameOrArn: string,
    payload: unknown,
    invocationType: InvocationType = 'RequestResponse',
    options: { qualifier?: string; tail?: boolean } = {},
  ): Promise<InvokeOutput> {
    const { fn, version } = this.resolve(nameOrArn, options.qualifier);
    const name = fn.name;
    const executedVersion = version.version;
    const key = poolKey(name, executedVersion);
    if (invocationType === 'DryRun') return { statusCode: 204, requestId: randomUUID() };
    if (invocationType === 'Event') {
      const requestId = this.asyncInvoker.invoke(key, fn.arn, payload);
      return { statusCode: 202, requestId };
    }
    const requestId = randomUUID();
    if (options.tail) this.logs.set(requestId, []);
    const result = await this.run(key, payload, requestId, 'invoke');
    const log = options.tail
      ? this.tail(requestId, result, version.settings.memorySize, executedVersion)
      : undefined;
    if (result.ok) return { statusCode: 200, requestId, payload: result.payload, executedVersion, log };
    return {
      statusCode: 200,
      requestId,
      functionError: 'Unhandled',
      executedVersion,
      payload: {
        errorType: result.error.errorType,
        errorMessage: result.error.errorMessage,
        ...(result.error.trace ? { trace: result.error.trace } : {}),
      },
      log,
    };
  }

  /** PutFunctionEventInvokeConfig: retries, maximum event age and destinations of asynchronous invocations. */
  putFunctionEventInvokeConfig(nameOrArn: string, config: AsyncInvokeConfig): void {
    const fn = this.unqualified(nameOrArn);
    checkRange(config.maximumRetryAttempts, 'maximumRetryAttempts');
    checkRange(config.maximumEventAgeSeconds, 'maximumEventAgeInSeconds');
    for (const destination of [config.onSuccess, config.onFailure]) {
      if (destination !== undefined && !/^arn:aws[a-z-]*:(sqs|sns|lambda|events|s3):/.test(destination)) {
        throw invalidParameterValue(`The destination ARN ${destination} is invalid.`);
      }
    }
    this.asyncInvoker.configure(fn.name, config);
    this.changes?.invokeConfigChanged(fn.name, config);
  }

  /** CreateEventSourceMapping for an SQS queue; starts its pollers when enabled. Returns the mapping's UUID. */
  createEventSourceMapping(input: EventSourceMappingInput): string {
    const uuid = randomUUID();
    this.startMapping(uuid, input, this.options.clock.now());
    return uuid;
  }

  getEventSourceMapping(uuid: string): EventSourceMappingDescription {
    return this.describeMapping(this.mappingOf(uuid));
  }

  /**
   * UpdateEventSourceMapping: the pollers stop (a batch being delivered finishes and is deleted or left as
   * usual) and start again with the new settings; the queue's messages are untouched.
   */
  async updateEventSourceMapping(
    uuid: string,
    update: EventSourceMappingUpdate,
  ): Promise<EventSourceMappingDescription> {
    const current = this.mappingOf(uuid);
    const defined = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
    const input: EventSourceMappingInput = { ...current.input, ...defined };
    // checked before the running pollers are touched
    const checked = this.checkMapping(input);
    await current.poller.stop();
    this.startMapping(uuid, input, this.options.clock.now(), checked);
    return this.describeMapping(this.mappingOf(uuid));
  }

  async deleteEventSourceMapping(uuid: string): Promise<EventSourceMappingDescription> {
    const mapping = this.mappingOf(uuid);
    this.mappings.delete(uuid);
    this.changes?.mappingChanged(uuid);
    await mapping.poller.stop();
    return { ...this.describeMapping(mapping), State: 'Deleting' };
  }

  /** ListEventSourceMappings, optionally of one queue and/or one function. */
  listEventSourceMappings(
    filter: { eventSourceArn?: string; functionName?: string } = {},
  ): EventSourceMappingDescription[] {
    let functionArn: string | undefined;
    if (filter.functionName !== undefined) {
      const { fn, version } = this.parseName(filter.functionName);
      functionArn = version === undefined ? fn.arn : `${fn.arn}:${version}`;
    }
    return [...this.mappings.values()]
      .filter((m) => filter.eventSourceArn === undefined || m.input.eventSourceArn === filter.eventSourceArn)
      .filter((m) => functionArn === undefined || m.functionArn === functionArn)
      .map((m) => this.describeMapping(m));
  }

  /** Persistence (`--state-dir`): every change of a function, mapping or invoke config goes to `changes`. */
  persistTo(changes: LambdaChanges): void {
    this.changes = changes;
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  /** A function as kept (persistence); undefined once deleted. */
  functionState(name: string): FunctionState | undefined {
    const fn = this.functions.get(name);
    if (!fn) return undefined;
    const version = (v: FunctionVersion): FunctionVersionState => ({
      version: v.version,
      settings: v.settings,
      code: v.code,
      revisionId: v.revisionId,
      lastModified: v.lastModified,
    });
    return {
      name,
      latest: version(fn.latest),
      versions: [...fn.versions.values()].map(version),
      aliases: [...fn.aliases.values()],
      policies: [...fn.policies].map(
        ([qualifier, statements]) => [qualifier, [...statements.values()]] as const,
      ),
      tags: fn.tags,
      nextVersion: fn.nextVersion,
    };
  }

  mappingIds(): string[] {
    return [...this.mappings.keys()];
  }

  /** A mapping as kept (persistence); undefined once deleted. */
  mappingState(uuid: string): MappingStateValue | undefined {
    const m = this.mappings.get(uuid);
    return m && { uuid, input: m.input, lastModified: m.lastModified };
  }

  /** Restore: a kept .zip unpacked into a directory of this service's own (removed with the function). */
  async unpackKept(
    name: string,
    zip: Buffer,
  ): Promise<{ readonly code: CodePackage; readonly owned: string }> {
    const packaged = await this.packageOf(name, { zipFile: zip });
    return { code: packaged.code, owned: packaged.owned as string };
  }

  /**
   * Restore: a function as kept, its code already in place (`owned`: the directories unpacked for it). Defined at
   * once (a missing handler file fails its invocations, not the restore), and invocable by S3 and SNS again.
   */
  adoptFunction(state: FunctionState, owned: readonly string[]): void {
    const fn: DeployedFunction = {
      name: state.name,
      arn: this.arnOf(state.name),
      latest: undefined as unknown as FunctionVersion,
      versions: new Map(),
      aliases: new Map(state.aliases.map((a) => [a.name, { ...a }])),
      policies: new Map(
        state.policies.map(([qualifier, statements]) => [
          qualifier,
          new Map(statements.map((s) => [String(s.Sid), { ...s }])),
        ]),
      ),
      tags: { ...state.tags },
      packages: [...owned],
      nextVersion: state.nextVersion,
    };
    const adopt = (v: FunctionVersionState): FunctionVersion => {
      const configuration = this.configurationOf(fn, v.version, v.settings, v.code.directory);
      // define does its work synchronously; lenient: only a malformed handler could reject, and none is kept
      this.runtime.define(configuration, poolKey(fn.name, v.version), true).catch(() => undefined);
      return { ...v, configuration };
    };
    fn.latest = adopt(state.latest);
    for (const v of state.versions) fn.versions.set(v.version, adopt(v));
    this.functions.set(fn.name, fn);
    this.options.functions.register(fn.arn, (event) => {
      this.asyncInvoker.invoke(fn.name, fn.arn, event);
    });
  }

  /** Restore: a mapping as kept; its pollers start again when it is enabled. Throws when its queue is gone. */
  adoptMapping(state: MappingStateValue): void {
    // its role was checked when it was made; the roles' policies come back with their stacks, after this
    const checked = this.checkMapping(state.input, false);
    this.startMapping(state.uuid, state.input, state.lastModified, checked);
  }

  async close(): Promise<void> {
    await Promise.all([...this.mappings.values()].map((m) => m.poller.stop()));
    this.mappings.clear();
    await this.runtime.close();
    for (const fn of this.functions.values()) this.options.functions.unregister(fn.arn);
    this.functions.clear();
    if (this.workDirectory) rmSync(this.workDirectory, { recursive: true, force: true });
  }

  /** Checks a mapping's input: the function and queue exist, the numbers are in AWS's bounds. */
  private checkMapping(
    input: EventSourceMappingInput,
    checkRole = true,
  ): {
    readonly functionArn: string;
    readonly filters: ReturnType<typeof parseFilterPattern>[];
  } {
    const { fn, version } = this.parseName(input.functionName);
    if (version !== undefined) this.resolve(fn.name, version);
    if (input.eventSourceArn.startsWith('arn:aws:kinesis:')) {
      checkKinesisMapping(input, this.options.kinesis?.(), this.options.sqs);
      return { functionArn: version === undefined ? fn.arn : `${fn.arn}:${version}`, filters: [] };
    }
    // AWS: the stream members have no meaning for a queue
    const streamOnly = (
      [
        ['StartingPosition', input.startingPosition],
        ['BisectBatchOnFunctionError', input.bisectBatchOnFunctionError],
        ['MaximumRetryAttempts', input.maximumRetryAttempts],
        ['MaximumRecordAgeInSeconds', input.maximumRecordAgeInSeconds],
        ['DestinationConfig', input.onFailureDestination],
      ] as const
    ).find(([, value]) => value !== undefined);
    if (streamOnly) throw invalidParameterValue(`${streamOnly[0]} is not supported for SQS event sources.`);
    const queue = this.options.sqs.queueByArn(input.eventSourceArn);
    if (!input.eventSourceArn.startsWith('arn:aws:sqs:') || !queue) {
      throw invalidParameterValue(
        input.eventSourceArn.startsWith('arn:aws:sqs:')
          ? `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.`
          : `Event source ${input.eventSourceArn} is not emulated (SQS queues only)`,
      );
    }
    // AWS: the execution role must let Lambda read and delete the queue's messages
    for (const action of checkRole ? ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'] : []) {
      if (this.options.roleMayAccess?.(fn.latest.settings.role, `sqs:${action}`, input.eventSourceArn)) {
        throw invalidParameterValue(
          `The provided execution role does not have permissions to call ${action} on SQS`,
        );
      }
    }
    const batchSize = checkRange(input.batchSize, 'batchSize');
    const window = checkRange(input.maximumBatchingWindowInSeconds, 'maximumBatchingWindowInSeconds');
    // each unit of concurrency is a poller: checked before any starts
    checkRange(input.maximumConcurrency, 'scalingConfig.maximumConcurrency');
    if (batchSize !== undefined && batchSize > 10 && !(window !== undefined && window >= 1)) {
      throw invalidParameterValue(
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      );
    }
    for (const type of input.functionResponseTypes ?? []) {
      if (type !== 'ReportBatchItemFailures') {
        throw validationException(
          `Value '[${type}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]`,
        );
      }
    }
    // the reason keeps the wording the emulator has always given here, SNS's for SetSubscriptionAttributes
    const invalid = (reason: string) =>
      invalidParameterValue(`Invalid filter pattern definition. Invalid parameter: FilterPolicy: ${reason}`);
    const filters = (input.filterPatterns ?? []).map((pattern) => parseFilterPattern(pattern, { invalid }));
    return { functionArn: version === undefined ? fn.arn : `${fn.arn}:${version}`, filters };
  }

  private startMapping(
    uuid: string,
    input: EventSourceMappingInput,
    lastModified: number,
    checked = this.checkMapping(input),
  ): void {
    const qualified = checked.functionArn;
    const kinesis = this.options.kinesis?.();
    if (input.eventSourceArn.startsWith('arn:aws:kinesis:') && kinesis) {
      const streamPoller = new KinesisEventSourceMapping(
        {
          uuid,
          streamArn: input.eventSourceArn,
          functionName: qualified.slice(qualified.lastIndexOf(':function:') + ':function:'.length),
          functionArn: qualified,
          ...kinesisSettingsOf(input),
        },
        {
          kinesis,
          sqs: this.options.sqs,
          clock: this.options.clock,
          region: this.options.region,
          invoke: (name, event) => this.runQualified(name, event),
        },
      );
      // an update keeps each shard's checkpoint: reading goes on where it was
      const previous = this.mappings.get(uuid)?.poller;
      if (previous instanceof KinesisEventSourceMapping) streamPoller.resumeFrom(previous);
      this.mappings.set(uuid, { uuid, input, functionArn: qualified, lastModified, poller: streamPoller });
      this.changes?.mappingChanged(uuid);
      if (input.enabled ?? true) streamPoller.start();
      return;
    }
    const poller = new SqsEventSourceMapping(
      {
        uuid,
        queueArn: input.eventSourceArn,
        functionName: qualified.slice(qualified.lastIndexOf(':function:') + ':function:'.length),
        batchSize: input.batchSize,
        maximumBatchingWindowSeconds: input.maximumBatchingWindowInSeconds,
        reportBatchItemFailures: input.functionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
        maximumConcurrency: input.maximumConcurrency,
        filters: checked.filters,
      },
      {
        sqs: this.options.sqs,
        region: this.options.region,
        // resolved at each batch: a batch after UpdateFunctionCode or UpdateAlias runs what is current
        invoke: (name, event) => this.runQualified(name, event),
        onBatch: (report) => this.reportBatch(report),
      },
    );
    this.mappings.set(uuid, { uuid, input, functionArn: qualified, lastModified, poller });
    this.changes?.mappingChanged(uuid);
    if (input.enabled ?? true) poller.start();
  }

  private runQualified(qualifiedName: string, event: unknown): Promise<InvocationResult> {
    const requestId = randomUUID();
    let key: string;
    try {
      const { fn, version } = this.resolve(qualifiedName);
      key = poolKey(fn.name, version.version);
    } catch (error) {
      // the function (or its alias) was deleted: the batch fails and its messages return to the queue
      const message = error instanceof Error ? error.message : String(error);
      return Promise.resolve({
        ok: false,
        requestId,
        durationMs: 0,
        error: { errorType: 'ResourceNotFoundException', errorMessage: message },
      });
    }
    return this.run(key, event, requestId, 'sqs');
  }

  private mappingOf(uuid: string): MappingState {
    const mapping = this.mappings.get(uuid);
    if (!mapping) {
      throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    }
    return mapping;
  }

  private describeMapping(m: MappingState): EventSourceMappingDescription {
    const { region, accountId } = this.options;
    const input = m.input;
    return {
      UUID: m.uuid,
      EventSourceMappingArn: `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${m.uuid}`,
      EventSourceArn: input.eventSourceArn,
      FunctionArn: m.functionArn,
      // AWS: a stream's batches default to 100 records, a queue's to 10
      BatchSize: input.batchSize ?? (input.startingPosition !== undefined ? 100 : 10),
      MaximumBatchingWindowInSeconds: input.maximumBatchingWindowInSeconds ?? 0,
      FunctionResponseTypes: input.functionResponseTypes ?? [],
      ...(input.filterPatterns?.length
        ? { FilterCriteria: { Filters: input.filterPatterns.map((Pattern) => ({ Pattern })) } }
        : {}),
      ...(input.maximumConcurrency !== undefined
        ? { ScalingConfig: { MaximumConcurrency: input.maximumConcurrency } }
        : {}),
      LastModified: new Date(m.lastModified),
      LastProcessingResult: 'No records processed',
      State: (input.enabled ?? true) ? 'Enabled' : 'Disabled',
      StateTransitionReason: 'USER_INITIATED',
      ...(input.startingPosition !== undefined
        ? {
            StartingPosition: input.startingPosition,
            ...(input.startingPositionTimestamp !== undefined
              ? { StartingPositionTimestamp: new Date(input.startingPositionTimestamp) }
              : {}),
            BisectBatchOnFunctionError: input.bisectBatchOnFunctionError ?? false,
            MaximumRetryAttempts: input.maximumRetryAttempts ?? -1,
            MaximumRecordAgeInSeconds: input.maximumRecordAgeInSeconds ?? -1,
            DestinationConfig: {
              OnFailure: input.onFailureDestination ? { Destination: input.onFailureDestination } : {},
            },
          }
        : {}),
    };
  }

  /** Checks a function's settings as AWS does (all of them, before anything changes). */
  private checkSettings(name: string, settings: FunctionSettings): FunctionSettings {
    if (nodeRuntimeMajor(settings.runtime) === undefined) {
      throw invalidParameterValue(
        `Function ${name}: runtime ${settings.runtime} cannot run locally (Node.js runtimes only)`,
      );
    }
    if (!/^[^\s]{1,128}$/.test(settings.handler)) {
      throw validationException(
        `Value '${settings.handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`,
      );
    }
    if (settings.role.length > 10_000 || !ROLE.test(settings.role)) {
      throw validationException(
        `Value '${settings.role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_PATTERN}`,
      );
    }
    checkDescription(settings.description);
    const variables = Object.entries(settings.environment);
    const reserved = variables.map(([k]) => k).filter((k) => LAMBDA_RESERVED_VARIABLES.has(k));
    if (reserved.length > 0) {
      throw invalidParameterValue(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    for (const [key, value] of variables) {
      if (!/^[a-zA-Z][a-zA-Z0-9_]+$/.test(key) || typeof value !== 'string') {
        throw validationException(
          `Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`,
        );
      }
    }
    const measured = JSON.stringify(settings.environment);
    if (Buffer.byteLength(measured) > MAX_ENVIRONMENT_BYTES) {
      throw invalidParameterValue(
        `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured.slice(0, 8192)}`,
      );
    }
    return settings;
  }

  /** The package a FunctionCode names: a directory as is, a .zip unpacked into a directory of its own. */
  private async packageOf(
    name: string,
    code: FunctionCode,
  ): Promise<{ readonly code: CodePackage; readonly owned?: string }> {
    if ('directory' in code) return { code: directoryPackage(code.directory) };
    let zip: Buffer;
    if ('zipFile' in code) zip = code.zipFile;
    else {
      if (!this.options.s3)
        throw invalidParameterValue('Code in S3 is not available: this emulator has no S3.');
      zip = codeZipFromS3(this.options.s3, code.s3Bucket, code.s3Key, code.s3ObjectVersion);
    }
    this.workDirectory ??= mkdtempSync(path.join(tmpdir(), 'decoupled-lambda-'));
    const directory = path.join(this.workDirectory, name, String(++this.packageCount));
    try {
      return { code: await unpackCodePackage(zip, directory), owned: directory };
    } catch (error) {
      this.removePackages([directory]);
      throw error;
    }
  }

  /** A package `$LATEST` no longer runs goes, unless a published version runs it (hotswaps add up otherwise). */
  private releasePackage(fn: DeployedFunction, code: CodePackage): void {
    const owned = path.dirname(code.directory);
    const i = fn.packages.indexOf(owned);
    if (i < 0 || [...fn.versions.values()].some((v) => v.code.directory === code.directory)) return;
    fn.packages.splice(i, 1);
    // the old code's environments may still be finishing an invocation: the files go once they have loaded it
    setTimeout(() => this.removePackages([owned]), 60_000).unref();
  }

  private removePackages(directories: readonly string[]): void {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  }

  /** Gives the runtime a version's code and settings (retiring what ran before) and records it. */
  private async defineVersion(
    fn: { readonly name: string; readonly arn: string },
    version: string,
    settings: FunctionSettings,
    code: CodePackage,
    lenient: boolean,
  ): Promise<FunctionVersion> {
    const configuration = this.configurationOf(fn, version, settings, code.directory);
    try {
      await this.runtime.define(configuration, poolKey(fn.name, version), lenient);
    } catch (error) {
      if (error instanceof FunctionConfigurationError) throw invalidParameterValue(error.message);
      throw error;
    }
    return {
      version,
      settings,
      code,
      configuration,
      revisionId: randomUUID(),
      lastModified: new Date(this.options.clock.now()).toISOString().replace('Z', '+0000'),
    };
  }

  private configurationOf(
    fn: { readonly name: string; readonly arn: string },
    version: string,
    settings: FunctionSettings,
    codeDirectory: string,
  ): FunctionConfiguration {
    const name = fn.name;
    // AWS: the execution role's session is named after the function
    const session = this.options.credentialsFor?.(settings.role, name);
    return {
      functionName: name,
      functionArn: version === '$LATEST' ? fn.arn : `${fn.arn}:${version}`,
      version,
      codeDirectory,
      handler: settings.handler,
      runtime: settings.runtime,
      timeoutSeconds: settings.timeout,
      memorySize: settings.memorySize,
      concurrency: settings.reservedConcurrentExecutions || LOCAL_CONCURRENCY,
      logGroup: settings.logGroup,
      environment: {
        // what Lambda sets in every Node.js execution environment
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_VERSION: version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `local/[${version}]${name}`,
        AWS_EXECUTION_ENV: `AWS_Lambda_${settings.runtime}`,
        LAMBDA_TASK_ROOT: codeDirectory,
        _HANDLER: settings.handler,
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        // The SDK warns about this machine's Node.js, not about the runtime the function declares; silence that
        ...((nodeRuntimeMajor(settings.runtime) ?? 0) >= 22
          ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
          : {}),
        // the template's variables, then what makes the SDK's default configuration talk to the emulator
        ...settings.environment,
        AWS_REGION: this.options.region,
        AWS_DEFAULT_REGION: this.options.region,
        AWS_ENDPOINT_URL: this.options.endpoint(),
        AWS_ACCESS_KEY_ID: session?.accessKeyId ?? 'LOCALEMULATORKEY',
        AWS_SECRET_ACCESS_KEY: session?.secretAccessKey ?? 'local-emulator-secret',
        AWS_SESSION_TOKEN: session?.sessionToken ?? 'local-emulator-session',
      },
    };
  }

  private describe(fn: DeployedFunction, v: FunctionVersion): FunctionDescription {
    const s = v.settings;
    return {
      FunctionName: fn.name,
      FunctionArn: v.version === '$LATEST' ? fn.arn : `${fn.arn}:${v.version}`,
      Runtime: s.runtime,
      Role: s.role,
      Handler: s.handler,
      CodeSize: v.code.codeSize,
      CodeSha256: v.code.codeSha256,
      Timeout: s.timeout,
      MemorySize: s.memorySize,
      Description: s.description,
      Version: v.version,
      // AWS: a Node.js function is Active at once; updates finish before the call answers here
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: s.architectures,
      Environment: { Variables: { ...s.environment } },
      TracingConfig: { Mode: 'PassThrough' },
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: 'Text', LogGroup: s.logGroup ?? `/aws/lambda/${fn.name}` },
      RevisionId: v.revisionId,
      LastModified: v.lastModified,
    };
  }

  private describeAlias(fn: DeployedFunction, alias: Alias): AliasDescription {
    return {
      AliasArn: `${fn.arn}:${alias.name}`,
      Name: alias.name,
      FunctionVersion: alias.functionVersion,
      Description: alias.description,
      RevisionId: alias.revisionId,
    };
  }

  private aliasOf(fn: DeployedFunction, aliasName: string): Alias {
    const alias = fn.aliases.get(aliasName);
    if (!alias) {
      throw new AwsError('ResourceNotFoundException', `Cannot find alias arn: ${fn.arn}:${aliasName}`, 404);
    }
    return alias;
  }

  private checkAliasTarget(fn: DeployedFunction, version: string): void {
    if (version !== '$LATEST' && !fn.versions.has(version)) throw this.notFound(fn.name, version);
  }

  /** AWS: a RevisionId that is not the current one is PreconditionFailedException (HTTP 412). */
  private checkRevision(current: string, given: string | undefined): void {
    if (given !== undefined && given !== current) {
      throw new AwsError(
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
        412,
      );
    }
  }

  private removeFunction(fn: DeployedFunction, options: { readonly keepLatest: boolean }): void {
    if (!options.keepLatest) {
      this.runtime.remove(fn.name);
      this.options.functions.unregister(fn.arn);
    }
    for (const version of fn.versions.keys()) this.runtime.remove(`${fn.name}:${version}`);
    // the old code's workers may still be finishing: the files go once they have had the time to load them
    const packages = [...fn.packages];
    setTimeout(() => this.removePackages(packages), 60_000).unref();
  }

  private async run(
    key: string,
    event: unknown,
    requestId: string,
    trigger: string,
  ): Promise<InvocationResult> {
    const result = await this.runtime.invoke(key, event, requestId);
    const name = key.split(':')[0];
    // SQS batches are reported once their records are deleted (reportBatch), with the counts
    if (trigger !== 'sqs' && this.options.activity.active) {
      this.options.activity.emit({
        kind: 'function-invoked',
        functionName: name,
        requestId,
        trigger,
        ok: result.ok,
        durationMs: result.durationMs,
        ...(result.ok ? {} : { error: `${result.error.errorType}: ${result.error.errorMessage}` }),
      });
    }
    return result;
  }

  private reportBatch(report: BatchReport): void {
    if (!this.options.activity.active) return;
    const { result } = report;
    this.options.activity.emit({
      kind: 'function-invoked',
      functionName: report.functionName.split(':')[0],
      requestId: result.requestId,
      trigger: 'sqs',
      ok: result.ok,
      durationMs: result.durationMs,
      records: report.received - report.filteredOut,
      failedRecords: report.failedIds.length,
      ...(result.ok ? {} : { error: `${result.error.errorType}: ${result.error.errorMessage}` }),
    });
  }

  private tail(requestId: string, result: InvocationResult, memorySize: number, version: string): string {
    const lines = this.logs.get(requestId) ?? [];
    this.logs.delete(requestId);
    const text = [
      `START RequestId: ${requestId} Version: ${version}`,
      ...lines,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${result.durationMs.toFixed(2)} ms\tMemory Size: ${memorySize} MB`,
      '',
    ].join('\n');
    const bytes = Buffer.from(text);
    return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
  }

  /** A function by name, full ARN or partial ARN, with the qualifier the name or `qualifier` gives. */
  private parseName(nameOrArn: string, qualifier?: string): { fn: DeployedFunction; version?: string } {
    let name = nameOrArn;
    let version = qualifier;
    const full = ARN_PATTERN.exec(nameOrArn);
    const partial = PARTIAL_ARN.exec(nameOrArn);
    if (full) {
      name = full[3];
      version ??= full[4];
    } else if (partial) {
      name = partial[2];
      version ??= partial[3];
    } else if (nameOrArn.includes(':')) {
      [name, version] = [nameOrArn.split(':')[0], version ?? nameOrArn.split(':')[1]];
    }
    const fn = this.functions.get(name);
    if (!fn) throw this.notFound(name, version);
    return { fn, version };
  }

  /** A function and the version a qualifier (a version number, `$LATEST` or an alias) names. */
  /** Destinations are sent as the function's execution role (`--iam`). */
  private roleGuardOf(functionArn: string): IntegrationGuard | undefined {
    const check = this.options.roleMayAccess;
    if (check === undefined) return undefined;
    const role = this.resolve(functionArn).version.settings.role;
    return (call) => check(role, call.action, call.resource);
  }

  private resolve(nameOrArn: string, qualifier?: string): { fn: DeployedFunction; version: FunctionVersion } {
    const { fn, version } = this.parseName(nameOrArn, qualifier);
    if (version === undefined || version === '$LATEST') return { fn, version: fn.latest };
    const target = fn.aliases.get(version)?.functionVersion ?? version;
    const resolved = target === '$LATEST' ? fn.latest : fn.versions.get(target);
    if (!resolved) throw this.notFound(fn.name, version);
    return { fn, version: resolved };
  }

  /** Operations on the function itself: a qualifier in the name is refused, as AWS does for them. */
  private unqualified(nameOrArn: string): DeployedFunction {
    const { fn, version } = this.parseName(nameOrArn);
    if (version !== undefined && version !== '$LATEST') throw this.notFound(fn.name, version);
    return fn;
  }

  private notFound(name: string, version?: string): AwsError {
    const suffix = version !== undefined ? `:${version}` : '';
    return new AwsError('ResourceNotFoundException', `Function not found: ${this.arnOf(name)}${suffix}`, 404);
  }
}

/** The runtime's key for a version's execution environments. */
function poolKey(name: string, version: string): string {
  return version === '$LATEST' ? name : `${name}:${version}`;
}

/** Part of a Code.Location URL that only someone told it knows: the package's hash, URL-safe. */
function codeToken(code: CodePackage): string {
  return Buffer.from(code.codeSha256, 'base64').toString('hex').slice(0, 32);
}

/** Where GetFunction's Code.Location points: the Lambda protocol serves these paths. */
export const CODE_LOCATION_PREFIX = '/2015-03-31/functions-code';

function sameSettings(a: FunctionSettings, b: FunctionSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkArchitectures(architectures: readonly string[] | undefined): readonly string[] | undefined {
  if (architectures === undefined) return undefined;
  if (architectures.length !== 1 || !ARCHITECTURES.has(architectures[0])) {
    throw validationException(
      `Value '[${architectures.join(', ')}]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1, and each member must satisfy enum value set: [x86_64, arm64]`,
    );
  }
  return [...architectures];
}

/** LoggingConfig: the log group (AWS's name rule); the Text format only, so no log levels. */
function checkLogging(config: LoggingConfigInput | undefined): string | undefined {
  if (config === undefined) return undefined;
  if (config.logFormat !== undefined && config.logFormat !== 'Text') {
    throw invalidParameterValue(
      `LoggingConfig.LogFormat ${config.logFormat} is not supported by the local emulator (Text only).`,
    );
  }
  for (const [member, value] of [
    ['ApplicationLogLevel', config.applicationLogLevel],
    ['SystemLogLevel', config.systemLogLevel],
  ] as const) {
    // AWS: log levels apply to the JSON format only
    if (value !== undefined) {
      throw invalidParameterValue(`LoggingConfig.${member} is not supported by the local emulator.`);
    }
  }
  const group = config.logGroup;
  if (group !== undefined && !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(group)) {
    throw validationException(
      `Value '${group.slice(0, 600)}' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
    );
  }
  return group;
}

function checkReserved(reserved: number | undefined): number | undefined {
  if (reserved !== undefined && !(Number.isInteger(reserved) && reserved >= 0)) {
    throw validationException(
      `Value '${reserved}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`,
    );
  }
  if (reserved !== undefined && reserved > MAX_RESERVED_CONCURRENCY) {
    throw invalidParameterValue(
      "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    );
  }
  return reserved;
}

/** AWS: a function's, version's or alias's Description is at most 256 characters. */
function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 256) {
    throw validationException(
      `Value '${description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  }
}

function checkAliasName(name: string): void {
  if (!ALIAS_NAME.test(name) || /^\d+$/.test(name)) {
    throw validationException(
      `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`,
    );
  }
}

function invalidParameterValue(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, 400);
}

/** AWS's modeled-constraint error: `1 validation error detected: …`, HTTP 400. */
function validationException(problem: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: ${problem}`, 400);
}

/** A whole number within AWS's bounds for `member`, or undefined when not given. */
function checkRange(value: number | undefined, member: keyof typeof LIMITS): number | undefined {
  if (value === undefined) return undefined;
  const [min, max] = LIMITS[member];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const bound =
      typeof value === 'number' && value > max
        ? `less than or equal to ${max}`
        : `greater than or equal to ${min}`;
    throw validationException(
      `Value '${value}' at '${member}' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  return value;
}

/** Which service sent an asynchronous event, from its shape (for the live log). */
function triggerOf(event: unknown): string {
  const record = (event as { Records?: Array<Record<string, unknown>> } | null)?.Records?.[0];
  if (record?.eventSource === 'aws:s3') return 's3';
  if (record?.EventSource === 'aws:sns') return 'sns';
  if ((event as { requestContext?: unknown } | null)?.requestContext !== undefined) return 'destination';
  return 'event';
}
