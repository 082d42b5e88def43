/**
 * AWS::Lambda::Function (its code is the asset directory in cdk.out), AWS::Lambda::EventSourceMapping (SQS),
 * AWS::Lambda::EventInvokeConfig (retries, event age, destinations) and AWS::Lambda::Permission (kept).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { type FunctionCode, templateCode } from '../../lambda/code-package';
import { nodeRuntimeMajor } from '../../lambda/function-runtime';
import type { LoggingConfigInput } from '../../lambda/service';
import { optionalString, requiredString, ResourcePropertyError, stableUuid } from './types';
import type { DeployContext, ResourceHandler, ResourceRequest } from './types';

/**
 * Ref: the function name; Fn::GetAtt: Arn. A new FunctionName replaces the function; code and configuration
 * change in place (UpdateFunctionCode, UpdateFunctionConfiguration), so its event sources keep their queues.
 */
export const functionHandler: ResourceHandler = {
  replacedBy: ['FunctionName', 'PackageType'],
  nameProperty: 'FunctionName',
  async update(request, previous, context) {
    if (previous.status !== 'emulated') return functionHandler.create(request, context);
    const p = request.properties;
    const lambda = context.emulator.lambda;
    if (JSON.stringify(p.Code) !== JSON.stringify(previous.properties.Code)) {
      await lambda.updateFunctionCode(previous.ref, { code: functionCode(request, context) });
    }
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    // AWS: a property no longer in the template goes back to its default
    await lambda.updateFunctionConfiguration(previous.ref, {
      handler: requiredString(request, 'Handler'),
      runtime: requiredString(request, 'Runtime'),
      timeout: p.Timeout === undefined ? 3 : Number(p.Timeout),
      memorySize: p.MemorySize === undefined ? 128 : Number(p.MemorySize),
      description: optionalString(request, 'Description') ?? '',
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      // AWS: without LoggingConfig the output goes back to /aws/lambda/<name>
      loggingConfig: loggingConfigOf(request) ?? {},
    });
    return { ref: previous.ref, attributes: previous.attributes, display: previous.ref };
  },
  delete(resource, context) {
    if (resource.status === 'emulated') context.emulator.lambda.deleteFunction(resource.ref);
  },
  async create(request, context) {
    const p = request.properties;
    const name = (p.FunctionName as string | undefined) ?? context.physicalName({ maxLength: 64 });
    const arn = context.emulator.lambda.arnOf(name);
    const result = { ref: name, attributes: { Arn: arn }, display: name };
    const backs = context.providerFunctions.get(request.logicalId);
    if (backs !== undefined) {
      return {
        ...result,
        status: 'kept' as const,
        note: `provider of ${backs}, which the emulator applies itself`,
      };
    }
    const runtime = requiredString(request, 'Runtime');
    if (nodeRuntimeMajor(runtime) === undefined) {
      return {
        ...result,
        status: 'not-emulated' as const,
        note: `runtime ${runtime}: only Node.js functions run locally`,
      };
    }
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    await context.emulator.lambda.createFunction({
      functionName: name,
      code: functionCode(request, context),
      handler: requiredString(request, 'Handler'),
      runtime,
      role: optionalString(request, 'Role'),
      timeout: p.Timeout === undefined ? undefined : Number(p.Timeout),
      memorySize: p.MemorySize === undefined ? undefined : Number(p.MemorySize),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      reservedConcurrentExecutions:
        p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
      description: optionalString(request, 'Description'),
      loggingConfig: loggingConfigOf(request),
    });
    return { ...result, note: `${runtime} (runs on this machine's Node.js ${process.versions.node})` };
  },
};

/** LoggingConfig: its log group (a LogGroup's Ref resolves to the name) and format. */
function loggingConfigOf(request: ResourceRequest): LoggingConfigInput | undefined {
  const config = request.properties.LoggingConfig as Record<string, unknown> | undefined;
  if (config === undefined) return undefined;
  const text = (key: string) => (config[key] === undefined ? undefined : String(config[key]));
  return {
    logGroup: text('LogGroup'),
    logFormat: text('LogFormat'),
    applicationLogLevel: text('ApplicationLogLevel'),
    systemLogLevel: text('SystemLogLevel'),
  };
}

/** The asset CDK bundled (cdk.out, or the .zip uploaded to S3), or inline code written to a directory of its own. */
function functionCode(request: ResourceRequest, context: DeployContext): FunctionCode {
  const code = (request.properties.Code ?? {}) as {
    S3Bucket?: unknown;
    S3Key?: unknown;
    S3ObjectVersion?: unknown;
    ZipFile?: unknown;
    ImageUri?: unknown;
  };
  if (typeof code.ZipFile === 'string') {
    const dir = path.join(
      context.workDirectory,
      createHash('sha256')
        .update(`${request.stackName}/${request.logicalId}/${code.ZipFile}`)
        .digest('hex')
        .slice(0, 16),
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.js'), code.ZipFile);
    return { directory: dir };
  }
  if (typeof code.S3Key !== 'string') {
    throw new ResourcePropertyError(
      request,
      code.ImageUri !== undefined
        ? 'container image functions cannot run locally'
        : 'Code must name a cdk.out asset (S3Key) or inline code (ZipFile)',
    );
  }
  const found = templateCode(code, context.assetPath(code.S3Key), context.emulator.s3);
  if (found === undefined) {
    throw new ResourcePropertyError(
      request,
      `the code asset ${code.S3Key} is not in the cloud assembly, nor in the emulator's S3 bucket ${String(code.S3Bucket)}`,
    );
  }
  return found;
}

/** Ref: the mapping's UUID; Fn::GetAtt: Id, EventSourceMappingArn. SQS sources only. */
export const eventSourceMappingHandler: ResourceHandler = {
  // AWS: "Update requires: Replacement" for the source and where in it to start; the rest changes in place
  replacedBy: [
    'EventSourceArn',
    'StartingPosition',
    'StartingPositionTimestamp',
    'SelfManagedEventSource',
    'Topics',
    'Queues',
    'AmazonManagedKafkaEventSourceConfig',
    'SelfManagedKafkaEventSourceConfig',
  ],
  /** UpdateEventSourceMapping: the pollers restart with the new settings; the queue's messages stay. */
  async update(request, previous, context) {
    if (previous.status !== 'emulated') return eventSourceMappingHandler.create(request, context);
    const p = request.properties;
    const concurrency = (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
    if (concurrency === undefined && previous.properties.ScalingConfig !== undefined) {
      throw new ResourcePropertyError(
        request,
        'removing ScalingConfig from an event source mapping is not supported by the local emulator',
      );
    }
    // a property left out of the template goes back to its default, as CloudFormation sets it
    const stream = String(p.EventSourceArn ?? '').startsWith('arn:aws:kinesis:');
    const {
      startingPosition: _start,
      startingPositionTimestamp: _at,
      ...streamUpdate
    } = streamSettings(request);
    await context.emulator.lambda.updateEventSourceMapping(previous.ref, {
      ...mappingSettings(request),
      ...(stream ? streamUpdate : {}),
      batchSize:
        p.BatchSize === undefined
          ? stream
            ? STREAM_DEFAULT_BATCH_SIZE
            : SQS_DEFAULT_BATCH_SIZE
          : Number(p.BatchSize),
      maximumBatchingWindowInSeconds:
        p.MaximumBatchingWindowInSeconds === undefined ? 0 : Number(p.MaximumBatchingWindowInSeconds),
      functionResponseTypes: (p.FunctionResponseTypes as string[] | undefined) ?? [],
      filterPatterns: mappingSettings(request).filterPatterns ?? [],
    });
    return { ref: previous.ref, attributes: previous.attributes, display: mappingDisplay(request) };
  },
  async delete(resource, context) {
    if (resource.status === 'emulated') await context.emulator.lambda.deleteEventSourceMapping(resource.ref);
  },
  create(request, context) {
    const p = request.properties;
    const source = optionalString(request, 'EventSourceArn') ?? '';
    const stream = source.startsWith('arn:aws:kinesis:');
    if (!source.startsWith('arn:aws:sqs:') && !stream) {
      return {
        ref: stableUuid(request),
        display: source || String(p.SelfManagedEventSource ?? ''),
        status: 'not-emulated',
        note: 'only SQS and Kinesis event sources are emulated',
      };
    }
    const uuid = context.emulator.lambda.createEventSourceMapping({
      eventSourceArn: source,
      ...mappingSettings(request),
      ...(stream ? streamSettings(request) : {}),
    });
    const { region, accountId } = context.emulator;
    return {
      ref: uuid,
      display: mappingDisplay(request),
      attributes: {
        Id: uuid,
        EventSourceMappingArn: `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${uuid}`,
      },
    };
  },
};

/** A Kinesis source's members: where reading starts, and what happens to a failing batch. */
function streamSettings(request: ResourceRequest) {
  const p = request.properties;
  const number = (value: unknown) => (value === undefined ? undefined : Number(value));
  const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure;
  return {
    startingPosition: optionalString(request, 'StartingPosition'),
    startingPositionTimestamp:
      p.StartingPositionTimestamp === undefined ? undefined : Number(p.StartingPositionTimestamp) * 1000,
    bisectBatchOnFunctionError:
      p.BisectBatchOnFunctionError === undefined
        ? undefined
        : String(p.BisectBatchOnFunctionError) === 'true',
    maximumRetryAttempts: number(p.MaximumRetryAttempts),
    maximumRecordAgeInSeconds: number(p.MaximumRecordAgeInSeconds),
    onFailureDestination: onFailure?.Destination === undefined ? undefined : String(onFailure.Destination),
  };
}

/** AWS: a Kinesis event source mapping's BatchSize when the template leaves it out. */
const STREAM_DEFAULT_BATCH_SIZE = 100;

/** AWS: an SQS event source mapping's BatchSize when the template leaves it out. */
const SQS_DEFAULT_BATCH_SIZE = 10;

/** What CreateEventSourceMapping and UpdateEventSourceMapping share, from the template. */
function mappingSettings(request: ResourceRequest) {
  const p = request.properties;
  const filters = (p.FilterCriteria as { Filters?: Array<{ Pattern?: unknown }> } | undefined)?.Filters ?? [];
  return {
    functionName: requiredString(request, 'FunctionName'),
    batchSize: p.BatchSize === undefined ? undefined : Number(p.BatchSize),
    maximumBatchingWindowInSeconds:
      p.MaximumBatchingWindowInSeconds === undefined ? undefined : Number(p.MaximumBatchingWindowInSeconds),
    functionResponseTypes: p.FunctionResponseTypes as string[] | undefined,
    maximumConcurrency: (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency,
    filterPatterns: filters.map((f) =>
      typeof f.Pattern === 'string' ? f.Pattern : JSON.stringify(f.Pattern),
    ),
    enabled: p.Enabled === undefined ? true : String(p.Enabled) === 'true',
  };
}

function mappingDisplay(request: ResourceRequest): string {
  return `${String(request.properties.EventSourceArn ?? '')
    .split(':')
    .pop()} → ${request.properties.FunctionName}`;
}

/** Ref: an id. Retries, maximum event age and the onSuccess/onFailure destinations of asynchronous invokes. */
export const eventInvokeConfigHandler: ResourceHandler = {
  create(request, context) {
    const p = request.properties;
    const name = requiredString(request, 'FunctionName');
    const qualifier = optionalString(request, 'Qualifier') ?? '$LATEST';
    const destinations = (p.DestinationConfig ?? {}) as {
      OnSuccess?: { Destination?: string };
      OnFailure?: { Destination?: string };
    };
    context.emulator.lambda.putFunctionEventInvokeConfig(name, {
      maximumRetryAttempts: p.MaximumRetryAttempts === undefined ? undefined : Number(p.MaximumRetryAttempts),
      maximumEventAgeSeconds:
        p.MaximumEventAgeInSeconds === undefined ? undefined : Number(p.MaximumEventAgeInSeconds),
      onSuccess: destinations.OnSuccess?.Destination,
      onFailure: destinations.OnFailure?.Destination,
    });
    return { ref: `${name}:${qualifier}`, display: `${name} destinations` };
  },
};

/** Kept: who may invoke a function (the emulator does not enforce resource policies). */
export const permissionHandler: ResourceHandler = {
  create(request, context) {
    const fn = requiredString(request, 'FunctionName');
    const principal = optionalString(request, 'Principal') ?? '';
    const ref = `${request.logicalId}`;
    // the function's resource policy, as the permission checks read it (--iam)
    context.emulator.iam.policies.register({ ...request, ref, attributes: {} });
    return {
      ref,
      display: `${principal} → ${fn.split(':').pop()}`,
      status: 'kept',
      note:
        context.emulator.iam.mode === 'off'
          ? 'resource policy stored; not enforced (--iam off)'
          : `resource policy evaluated (--iam ${context.emulator.iam.mode})`,
    };
  },
  delete(resource, context) {
    context.emulator.iam.policies.unregister(resource.stackName, resource.logicalId);
  },
};
