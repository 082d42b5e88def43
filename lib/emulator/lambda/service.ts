/**
 * The Lambda service of the emulator: functions (each run by the {@link FunctionRuntime} from its code
 * directory), the Invoke operation (RequestResponse, Event, DryRun), asynchronous invocation with retries and
 * destinations, SQS event source mappings, and the hook through which S3 and SNS invoke functions.
 *
 *   await emu.lambda.createFunction({ functionName: 'fn', codeDirectory: 'cdk.out/asset.1234', handler: 'index.handler', runtime: 'nodejs24.x' });
 *   const { statusCode, payload } = await emu.lambda.invoke('fn', { hello: 'world' });
 */
import { randomUUID } from 'node:crypto';
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import type { DeliveryTracker, FunctionRegistry } from '../event-delivery';
import { parseFilterPattern } from '../kit/filter-patterns';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import { type AsyncInvokeConfig, AsyncInvoker } from './async-invocation';
import { sendInvocationRecord } from './destinations';
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

export interface LambdaServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** The emulator's endpoint, given to every function as AWS_ENDPOINT_URL; read when a function is created. */
  readonly endpoint: () => string;
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly functions: FunctionRegistry;
  readonly deliveries: DeliveryTracker;
  readonly activity: ActivityLog;
  /** Receives every line a function prints. @default print it prefixed with the function name */
  readonly onLog?: (line: FunctionLogLine) => void;
}

export interface CreateFunctionInput {
  readonly functionName: string;
  /** Directory of the unpacked code (a cdk.out asset directory). */
  readonly codeDirectory: string;
  /** `file.export`. */
  readonly handler: string;
  readonly runtime: string;
  /** Seconds. @default 3 (Lambda's default) */
  readonly timeout?: number;
  /** MB. @default 128 (Lambda's default) */
  readonly memorySize?: number;
  /** The function's own variables; the emulator adds the standard ones. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Reserved concurrency; without it, {@link LOCAL_CONCURRENCY}. */
  readonly reservedConcurrentExecutions?: number;
  readonly description?: string;
}

/** A function as GetFunctionConfiguration describes it. */
export interface FunctionDescription {
  readonly FunctionName: string;
  readonly FunctionArn: string;
  readonly Runtime: string;
  readonly Handler: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  readonly Description: string;
  readonly Version: '$LATEST';
  readonly State: 'Active';
  readonly PackageType: 'Zip';
  readonly Environment: { readonly Variables: Record<string, string> };
  readonly LastModified: string;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** What Invoke answers. */
export interface InvokeOutput {
  readonly statusCode: 200 | 202 | 204;
  readonly requestId: string;
  /** The function's result, or Lambda's error object when `functionError` is set (RequestResponse only). */
  readonly payload?: unknown;
  readonly functionError?: 'Unhandled';
  readonly executedVersion?: '$LATEST';
  /** The invocation's log lines, START to REPORT (RequestResponse only). */
  readonly log?: string;
}

export interface EventSourceMappingInput {
  readonly eventSourceArn: string;
  readonly functionName: string;
  readonly batchSize?: number;
  readonly maximumBatchingWindowInSeconds?: number;
  readonly functionResponseTypes?: readonly string[];
  readonly maximumConcurrency?: number;
  /** FilterCriteria.Filters[].Pattern, JSON text. */
  readonly filterPatterns?: readonly string[];
  /** @default true */
  readonly enabled?: boolean;
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

interface DeployedFunction {
  readonly configuration: FunctionConfiguration;
  readonly description: FunctionDescription;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

export class LambdaService {
  readonly runtime: FunctionRuntime;
  private readonly functions = new Map<string, DeployedFunction>();
  private readonly mappings = new Map<string, SqsEventSourceMapping>();
  private readonly asyncInvoker: AsyncInvoker;
  /** Log lines of invocations in flight, by request id, for LogType Tail. */
  private readonly logs = new Map<string, string[]>();

  constructor(private readonly options: LambdaServiceOptions) {
    const print = options.onLog ?? printFunctionLog;
    this.runtime = new FunctionRuntime({
      onLog: (line) => {
        if (line.requestId !== undefined) this.logs.get(line.requestId)?.push(line.line);
        print(line);
      },
    });
    this.asyncInvoker = new AsyncInvoker({
      clock: options.clock,
      deliveries: options.deliveries,
      invoke: (name, event, requestId) => this.run(name, event, requestId, triggerOf(event)),
      sendToDestination: (arn, record) => sendInvocationRecord(options, arn, record),
    });
  }

  get region(): string {
    return this.options.region;
  }

  arnOf(functionName: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${functionName}`;
  }

  /** Creates (or replaces) a function; fails when its code cannot run here. */
  async createFunction(input: CreateFunctionInput): Promise<FunctionDescription> {
    const name = input.functionName;
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw invalidParameterValue(
        `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    }
    const timeout = checkRange(input.timeout, 'timeout') ?? 3;
    const memorySize = checkRange(input.memorySize, 'memorySize') ?? 128;
    const reserved = input.reservedConcurrentExecutions;
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
    const arn = this.arnOf(name);
    const logGroup = `/aws/lambda/${name}`;
    const configuration: FunctionConfiguration = {
      functionName: name,
      functionArn: arn,
      codeDirectory: input.codeDirectory,
      handler: input.handler,
      runtime: input.runtime,
      timeoutSeconds: timeout,
      memorySize,
      concurrency: input.reservedConcurrentExecutions || LOCAL_CONCURRENCY,
      environment: {
        // what Lambda sets in every Node.js execution environment
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
        AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${name}`,
        AWS_EXECUTION_ENV: `AWS_Lambda_${input.runtime}`,
        LAMBDA_TASK_ROOT: input.codeDirectory,
        _HANDLER: input.handler,
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        // The SDK warns about this machine's Node.js, not about the runtime the function declares; silence that
        ...((nodeRuntimeMajor(input.runtime) ?? 0) >= 22
          ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
          : {}),
        // the template's variables, then what makes the SDK's default configuration talk to the emulator
        ...input.environment,
        AWS_REGION: this.options.region,
        AWS_DEFAULT_REGION: this.options.region,
        AWS_ENDPOINT_URL: this.options.endpoint(),
        AWS_ACCESS_KEY_ID: 'LOCALEMULATORKEY',
        AWS_SECRET_ACCESS_KEY: 'local-emulator-secret',
        AWS_SESSION_TOKEN: 'local-emulator-session',
      },
    };
    try {
      await this.runtime.define(configuration);
    } catch (error) {
      if (error instanceof FunctionConfigurationError) throw invalidParameterValue(error.message);
      throw error;
    }
    const description: FunctionDescription = {
      FunctionName: name,
      FunctionArn: arn,
      Runtime: input.runtime,
      Handler: input.handler,
      Timeout: timeout,
      MemorySize: memorySize,
      Description: input.description ?? '',
      Version: '$LATEST',
      State: 'Active',
      PackageType: 'Zip',
      Environment: { Variables: { ...input.environment } },
      LastModified: new Date(this.options.clock.now()).toISOString().replace('Z', '+0000'),
    };
    this.functions.set(name, { configuration, description });
    // S3 notifications and SNS subscriptions invoke asynchronously, through the shared hook
    this.options.functions.register(arn, (event) => {
      this.asyncInvoker.invoke(name, arn, event);
    });
    return description;
  }

  getFunction(nameOrArn: string, qualifier?: string): FunctionDescription {
    return this.functionOf(nameOrArn, qualifier).description;
  }

  listFunctions(): FunctionDescription[] {
    return [...this.functions.values()].map((f) => f.description);
  }

  /** The Invoke operation. */
  async invoke(
    nameOrArn: string,
    payload: unknown,
    invocationType: InvocationType = 'RequestResponse',
    options: { qualifier?: string; tail?: boolean } = {},
  ): Promise<InvokeOutput> {
    const fn = this.functionOf(nameOrArn, options.qualifier);
    const name = fn.configuration.functionName;
    if (invocationType === 'DryRun') return { statusCode: 204, requestId: randomUUID() };
    if (invocationType === 'Event') {
      const requestId = this.asyncInvoker.invoke(name, fn.configuration.functionArn, payload);
      return { statusCode: 202, requestId };
    }
    const requestId = randomUUID();
    if (options.tail) this.logs.set(requestId, []);
    const result = await this.run(name, payload, requestId, 'invoke');
    const log = options.tail ? this.tail(requestId, result, fn.configuration.memorySize) : undefined;
    if (result.ok)
      return { statusCode: 200, requestId, payload: result.payload, executedVersion: '$LATEST', log };
    return {
      statusCode: 200,
      requestId,
      functionError: 'Unhandled',
      executedVersion: '$LATEST',
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
    const fn = this.functionOf(nameOrArn);
    checkRange(config.maximumRetryAttempts, 'maximumRetryAttempts');
    checkRange(config.maximumEventAgeSeconds, 'maximumEventAgeInSeconds');
    for (const destination of [config.onSuccess, config.onFailure]) {
      if (destination !== undefined && !/^arn:aws[a-z-]*:(sqs|sns|lambda|events|s3):/.test(destination)) {
        throw invalidParameterValue(`The destination ARN ${destination} is invalid.`);
      }
    }
    this.asyncInvoker.configure(fn.configuration.functionName, config);
  }

  /** CreateEventSourceMapping for an SQS queue; starts its pollers when enabled. Returns the mapping's UUID. */
  createEventSourceMapping(input: EventSourceMappingInput): string {
    const fn = this.functionOf(input.functionName);
    const queue = this.options.sqs.queueByArn(input.eventSourceArn);
    if (!input.eventSourceArn.startsWith('arn:aws:sqs:') || !queue) {
      throw invalidParameterValue(
        input.eventSourceArn.startsWith('arn:aws:sqs:')
          ? `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.`
          : `Event source ${input.eventSourceArn} is not emulated (SQS queues only)`,
      );
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
    // the reason keeps the wording the emulator has always given here, SNS's for SetSubscriptionAttributes
    const invalid = (reason: string) =>
      invalidParameterValue(`Invalid filter pattern definition. Invalid parameter: FilterPolicy: ${reason}`);
    const filters = (input.filterPatterns ?? []).map((pattern) => parseFilterPattern(pattern, { invalid }));
    const uuid = randomUUID();
    const mapping = new SqsEventSourceMapping(
      {
        uuid,
        queueArn: input.eventSourceArn,
        functionName: fn.configuration.functionName,
        batchSize: input.batchSize,
        maximumBatchingWindowSeconds: input.maximumBatchingWindowInSeconds,
        reportBatchItemFailures: input.functionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
        maximumConcurrency: input.maximumConcurrency,
        filters,
      },
      {
        sqs: this.options.sqs,
        region: this.options.region,
        invoke: (name, event) => this.run(name, event, randomUUID(), 'sqs'),
        onBatch: (report) => this.reportBatch(report),
      },
    );
    this.mappings.set(uuid, mapping);
    if (input.enabled ?? true) mapping.start();
    return uuid;
  }

  async close(): Promise<void> {
    await Promise.all([...this.mappings.values()].map((m) => m.stop()));
    this.mappings.clear();
    await this.runtime.close();
    for (const { configuration } of this.functions.values()) {
      this.options.functions.unregister(configuration.functionArn);
    }
    this.functions.clear();
  }

  private async run(
    name: string,
    event: unknown,
    requestId: string,
    trigger: string,
  ): Promise<InvocationResult> {
    const result = await this.runtime.invoke(name, event, requestId);
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
      functionName: report.functionName,
      requestId: result.requestId,
      trigger: 'sqs',
      ok: result.ok,
      durationMs: result.durationMs,
      records: report.received - report.filteredOut,
      failedRecords: report.failedIds.length,
      ...(result.ok ? {} : { error: `${result.error.errorType}: ${result.error.errorMessage}` }),
    });
  }

  private tail(requestId: string, result: InvocationResult, memorySize: number): string {
    const lines = this.logs.get(requestId) ?? [];
    this.logs.delete(requestId);
    const text = [
      `START RequestId: ${requestId} Version: $LATEST`,
      ...lines,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${result.durationMs.toFixed(2)} ms\tMemory Size: ${memorySize} MB`,
      '',
    ].join('\n');
    const bytes = Buffer.from(text);
    return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
  }

  /** Finds a function by name, full ARN or partial ARN; `$LATEST` is the only version. */
  private functionOf(nameOrArn: string, qualifier?: string): DeployedFunction {
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
    if (!fn || (version !== undefined && version !== '$LATEST')) {
      const suffix = version !== undefined ? `:${version}` : '';
      throw new AwsError(
        'ResourceNotFoundException',
        `Function not found: ${this.arnOf(name)}${suffix}`,
        404,
      );
    }
    return fn;
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
