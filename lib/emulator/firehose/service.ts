/**
 * Amazon Data Firehose: delivery streams from DirectPut or a Kinesis data stream to an S3 bucket, with buffering
 * hints on the emulator clock, a Lambda transform, AWS's object prefixes and names, and tags. One method per AWS
 * operation, SDK shapes in and out; the way to S3 is delivery.ts, the Kinesis reader kinesis-source.ts.
 *
 * Not emulated (refused by name): destinations other than S3, MSK and database sources, format conversion,
 * dynamic partitioning, S3 backup, processors other than Lambda, compression other than GZIP, a KMS key for the
 * objects (they take the bucket's default encryption), UpdateDestination.
 */
import type {
  CreateDeliveryStreamInput,
  CreateDeliveryStreamOutput,
  DeleteDeliveryStreamInput,
  DeleteDeliveryStreamOutput,
  DeliveryStreamDescription,
  DescribeDeliveryStreamInput,
  DescribeDeliveryStreamOutput,
  ExtendedS3DestinationConfiguration,
  ExtendedS3DestinationDescription,
  ListDeliveryStreamsInput,
  ListDeliveryStreamsOutput,
  ListTagsForDeliveryStreamInput,
  ListTagsForDeliveryStreamOutput,
  ProcessingConfiguration,
  PutRecordBatchInput,
  PutRecordBatchOutput,
  PutRecordInput,
  PutRecordOutput,
  Tag,
  TagDeliveryStreamInput,
  TagDeliveryStreamOutput,
  UntagDeliveryStreamInput,
  UntagDeliveryStreamOutput,
} from '@aws-sdk/client-firehose';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import type { DeliveryTracker } from '../event-delivery';
import { type DeliveryContext, DeliveryPipeline, type FunctionOutcome } from './delivery';
import { KinesisSourceReader, type KinesisStreamReader, recordIdOf } from './kinesis-source';
import type { DeliveryStreamRecord, IncomingRecord, LambdaProcessor, S3Destination } from './model';
import { checkPrefix, hasExpressions, invalidArgument } from './object-keys';

export type { KinesisStreamReader } from './kinesis-source';
export type { DeliveryStreamRecord } from './model';

export interface FirehoseServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly deliveries: DeliveryTracker;
  /** Writes a delivered object (the emulator's S3). */
  readonly writeObject: DeliveryContext['writeObject'];
  /** Invokes a transform function synchronously (the emulator's Lambda). */
  readonly invokeFunction: (functionArn: string, event: unknown) => Promise<FunctionOutcome>;
  /** The Kinesis service a `KinesisStreamAsSource` delivery stream reads; absent: that type is refused. */
  readonly kinesis?: () => KinesisStreamReader | undefined;
}

const MIB = 1024 * 1024;
/** AWS: a record's data is at most 1,000 KiB before base64. */
const MAX_RECORD_BYTES = 1_024_000;
/** AWS: PutRecordBatch takes 500 records and 4 MiB at most. */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * MIB;
/** AWS: 50 tags per delivery stream. */
const MAX_TAGS = 50;
/** AWS: 5,000 delivery streams per account and region. */
const MAX_STREAMS = 5_000;
const NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9$_-]{1,128})?$/;
const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PROCESSOR_PARAMETERS = new Set([
  'LambdaArn',
  'NumberOfRetries',
  'RoleArn',
  'BufferSizeInMBs',
  'BufferIntervalInSeconds',
]);

/** Told about every durable change (`--state-dir`), once persistence covers Firehose. */
export interface FirehoseChanges {
  deliveryStreamChanged(name: string): void;
}

interface LiveStream {
  readonly record: DeliveryStreamRecord;
  readonly pipeline: DeliveryPipeline;
  readonly source: KinesisSourceReader | undefined;
}

export class FirehoseService {
  private readonly streams = new Map<string, LiveStream>();

  constructor(private readonly options: FirehoseServiceOptions) {}

  // ----- delivery streams --------------------------------------------------------------------------------------

  createDeliveryStream(input: CreateDeliveryStreamInput): CreateDeliveryStreamOutput {
    const name = input.DeliveryStreamName ?? '';
    const problems = new Problems();
    if (!NAME.test(name)) {
      problems.add(
        'deliveryStreamName',
        name,
        'Member must satisfy regular expression pattern: [a-zA-Z0-9._-]+',
      );
    }
    const type = input.DeliveryStreamType ?? 'DirectPut';
    if (!['DirectPut', 'KinesisStreamAsSource', 'MSKAsSource', 'DatabaseAsSource'].includes(type)) {
      problems.add(
        'deliveryStreamType',
        type,
        'Member must satisfy enum value set: [DatabaseAsSource, DirectPut, KinesisStreamAsSource, MSKAsSource]',
      );
    }
    const hints =
      input.ExtendedS3DestinationConfiguration?.BufferingHints ??
      input.S3DestinationConfiguration?.BufferingHints;
    const member = input.ExtendedS3DestinationConfiguration
      ? 'extendedS3DestinationConfiguration'
      : 's3DestinationConfiguration';
    if (hints?.SizeInMBs !== undefined && !(hints.SizeInMBs >= 1 && hints.SizeInMBs <= 128)) {
      problems.add(
        `${member}.bufferingHints.sizeInMBs`,
        hints.SizeInMBs,
        'Member must have value between 1 and 128',
      );
    }
    if (
      hints?.IntervalInSeconds !== undefined &&
      !(hints.IntervalInSeconds >= 0 && hints.IntervalInSeconds <= 900)
    ) {
      problems.add(
        `${member}.bufferingHints.intervalInSeconds`,
        hints.IntervalInSeconds,
        'Member must have value between 0 and 900',
      );
    }
    checkTagList(problems, input.Tags ?? [], 'tags');
    problems.throwIfAny();
    if (type === 'MSKAsSource' || type === 'DatabaseAsSource') {
      throw invalidArgument(`DeliveryStreamType ${type} is not supported by the local emulator.`);
    }
    for (const other of OTHER_DESTINATIONS) {
      if (input[other] !== undefined)
        throw invalidArgument(`${other} is not supported by the local emulator.`);
    }
    const s3 = input.ExtendedS3DestinationConfiguration ?? input.S3DestinationConfiguration;
    if (!s3 || (input.ExtendedS3DestinationConfiguration && input.S3DestinationConfiguration)) {
      throw invalidArgument('Exactly one destination configuration must be supplied.');
    }
    if (type === 'DirectPut' && input.KinesisStreamSourceConfiguration) {
      throw invalidArgument(
        'KinesisStreamSourceConfiguration is only allowed for a KinesisStreamAsSource delivery stream.',
      );
    }
    if (type === 'KinesisStreamAsSource') {
      if (!input.KinesisStreamSourceConfiguration) {
        throw invalidArgument(
          'KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource delivery stream.',
        );
      }
      if (input.DirectPutSourceConfiguration) {
        throw invalidArgument(
          'DirectPutSourceConfiguration is only allowed for a DirectPut delivery stream.',
        );
      }
      if (input.DeliveryStreamEncryptionConfigurationInput) {
        throw invalidArgument(
          'Server-side encryption is not supported for a KinesisStreamAsSource delivery stream: encrypt the source stream.',
        );
      }
      if (!this.options.kinesis) {
        throw invalidArgument(
          'KinesisStreamAsSource is not supported by the local emulator without Kinesis.',
        );
      }
      const source = input.KinesisStreamSourceConfiguration;
      if (!STREAM_ARN.test(source.KinesisStreamARN ?? '')) {
        throw invalidArgument(
          `KinesisStreamARN ${source.KinesisStreamARN} is not a valid Kinesis stream ARN.`,
        );
      }
      if (!ROLE_ARN.test(source.RoleARN ?? ''))
        throw invalidArgument(`RoleARN ${source.RoleARN} is not valid.`);
    }
    const { destination, description } = this.destinationOf({ ...s3 } as ExtendedS3DestinationConfiguration);
    const encryption = input.DeliveryStreamEncryptionConfigurationInput;
    if (encryption) {
      const keyType = encryption.KeyType;
      if (keyType !== 'AWS_OWNED_CMK' && keyType !== 'CUSTOMER_MANAGED_CMK') {
        throw invalidArgument(`KeyType ${keyType} is not valid: use AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.`);
      }
      if ((keyType === 'CUSTOMER_MANAGED_CMK') !== (encryption.KeyARN !== undefined)) {
        throw invalidArgument('KeyARN is required with KeyType CUSTOMER_MANAGED_CMK, and only with it.');
      }
    }
    if (this.streams.has(name)) {
      throw new AwsError(
        'ResourceInUseException',
        `Firehose ${name} under accountId ${this.options.accountId} already exists`,
      );
    }
    if (this.streams.size >= MAX_STREAMS) {
      throw new AwsError(
        'LimitExceededException',
        `You have already reached the limit of ${MAX_STREAMS} delivery streams.`,
      );
    }
    // every check passed: the stream exists from here on
    const now = this.options.clock.now();
    const arn = `arn:aws:firehose:${this.options.region}:${this.options.accountId}:deliverystream/${name}`;
    const record: DeliveryStreamRecord = {
      name,
      arn,
      type,
      createdAt: now,
      versionId: 1,
      destinationId: 'destinationId-000000000001',
      source:
        type === 'KinesisStreamAsSource'
          ? {
              streamArn: input.KinesisStreamSourceConfiguration!.KinesisStreamARN!,
              roleArn: input.KinesisStreamSourceConfiguration!.RoleARN!,
              deliveryStartedAt: now,
            }
          : undefined,
      throughputHintInMBs: input.DirectPutSourceConfiguration?.ThroughputHintInMBs,
      destination,
      description,
      encryption: encryption
        ? { KeyType: encryption.KeyType, KeyARN: encryption.KeyARN, Status: 'ENABLED' }
        : undefined,
      tags: new Map((input.Tags ?? []).map((t) => [t.Key as string, t.Value ?? ''])),
    };
    this.launch(record);
    return { DeliveryStreamARN: arn };
  }

  describeDeliveryStream(input: DescribeDeliveryStreamInput): DescribeDeliveryStreamOutput {
    const problems = new Problems();
    if (input.Limit !== undefined && !(input.Limit >= 1 && input.Limit <= 10_000)) {
      problems.add('limit', input.Limit, 'Member must have value between 1 and 10000');
    }
    problems.throwIfAny();
    const { record } = this.streamOf(input.DeliveryStreamName);
    const d = record.description;
    const afterOnly = input.ExclusiveStartDestinationId === record.destinationId;
    const description: DeliveryStreamDescription = {
      DeliveryStreamName: record.name,
      DeliveryStreamARN: record.arn,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamEncryptionConfiguration: record.encryption ?? { Status: 'DISABLED' },
      DeliveryStreamType: record.type,
      VersionId: String(record.versionId),
      CreateTimestamp: new Date(record.createdAt),
      Source: record.source
        ? {
            KinesisStreamSourceDescription: {
              KinesisStreamARN: record.source.streamArn,
              RoleARN: record.source.roleArn,
              DeliveryStartTimestamp: new Date(record.source.deliveryStartedAt),
            },
          }
        : record.throughputHintInMBs !== undefined
          ? { DirectPutSourceDescription: { ThroughputHintInMBs: record.throughputHintInMBs } }
          : undefined,
      Destinations: afterOnly
        ? []
        : [
            {
              DestinationId: record.destinationId,
              // AWS describes an extended S3 destination twice: in the plain S3 shape and the extended one
              S3DestinationDescription: {
                RoleARN: d.RoleARN,
                BucketARN: d.BucketARN,
                Prefix: d.Prefix,
                ErrorOutputPrefix: d.ErrorOutputPrefix,
                BufferingHints: d.BufferingHints,
                CompressionFormat: d.CompressionFormat,
                EncryptionConfiguration: d.EncryptionConfiguration,
                CloudWatchLoggingOptions: d.CloudWatchLoggingOptions,
              },
              ExtendedS3DestinationDescription: d,
            },
          ],
      HasMoreDestinations: false,
    };
    return { DeliveryStreamDescription: description };
  }

  listDeliveryStreams(input: ListDeliveryStreamsInput): ListDeliveryStreamsOutput {
    const problems = new Problems();
    if (input.Limit !== undefined && !(input.Limit >= 1 && input.Limit <= 10_000)) {
      problems.add('limit', input.Limit, 'Member must have value between 1 and 10000');
    }
    problems.throwIfAny();
    const start = input.ExclusiveStartDeliveryStreamName;
    const names = [...this.streams.values()]
      .filter((s) => input.DeliveryStreamType === undefined || s.record.type === input.DeliveryStreamType)
      .map((s) => s.record.name)
      .filter((n) => start === undefined || n > start)
      .sort();
    const limit = input.Limit ?? 10;
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
  }

  deleteDeliveryStream(input: DeleteDeliveryStreamInput): DeleteDeliveryStreamOutput {
    const stream = this.streamOf(input.DeliveryStreamName);
    stream.pipeline.close();
    stream.source?.close();
    this.streams.delete(stream.record.name);
    return {};
  }

  // ----- records -------------------------------------------------------------------------------------------------

  putRecord(input: PutRecordInput): PutRecordOutput {
    const data = input.Record?.Data;
    if (data === undefined) throw validation([['record.data', 'null', 'Member must not be null']]);
    if (data.length > MAX_RECORD_BYTES) {
      throw validation([
        ['record.data', undefined, `Member must have length less than or equal to ${MAX_RECORD_BYTES}`],
      ]);
    }
    const stream = this.directPutStreamOf(input.DeliveryStreamName);
    const record = this.incoming(data);
    stream.pipeline.accept([record]);
    return { RecordId: record.recordId, Encrypted: stream.record.encryption !== undefined };
  }

  putRecordBatch(input: PutRecordBatchInput): PutRecordBatchOutput {
    const records = input.Records ?? [];
    const problems = new Problems();
    if (records.length < 1 || records.length > MAX_BATCH_RECORDS) {
      problems.add(
        'records',
        undefined,
        `Member must have length less than or equal to ${MAX_BATCH_RECORDS}`,
      );
    }
    let total = 0;
    records.forEach((r, i) => {
      const size = r.Data?.length ?? 0;
      total += size;
      if (r.Data === undefined)
        problems.add(`records.${i + 1}.member.data`, 'null', 'Member must not be null');
      else if (size > MAX_RECORD_BYTES) {
        problems.add(
          `records.${i + 1}.member.data`,
          undefined,
          `Member must have length less than or equal to ${MAX_RECORD_BYTES}`,
        );
      }
    });
    problems.throwIfAny();
    if (total > MAX_BATCH_BYTES) {
      throw invalidArgument(
        `Records size exceeds ${MAX_BATCH_BYTES} bytes limit (4 MiB) for a PutRecordBatch request.`,
      );
    }
    const stream = this.directPutStreamOf(input.DeliveryStreamName);
    const accepted = records.map((r) => this.incoming(r.Data as Uint8Array));
    stream.pipeline.accept(accepted);
    return {
      FailedPutCount: 0,
      Encrypted: stream.record.encryption !== undefined,
      RequestResponses: accepted.map((r) => ({ RecordId: r.recordId })),
    };
  }

  // ----- tags ----------------------------------------------------------------------------------------------------

  tagDeliveryStream(input: TagDeliveryStreamInput): TagDeliveryStreamOutput {
    const tags = input.Tags ?? [];
    const problems = new Problems();
    if (tags.length < 1)
      problems.add('tags', undefined, 'Member must have length greater than or equal to 1');
    checkTagList(problems, tags, 'tags');
    problems.throwIfAny();
    const { record } = this.streamOf(input.DeliveryStreamName);
    const merged = new Map(record.tags);
    for (const tag of tags) merged.set(tag.Key as string, tag.Value ?? '');
    if (merged.size > MAX_TAGS) {
      throw new AwsError(
        'LimitExceededException',
        `A delivery stream cannot have more than ${MAX_TAGS} tags (it would have ${merged.size}).`,
      );
    }
    for (const [key, value] of merged) record.tags.set(key, value);
    return {};
  }

  untagDeliveryStream(input: UntagDeliveryStreamInput): UntagDeliveryStreamOutput {
    const keys = input.TagKeys ?? [];
    if (keys.length < 1 || keys.length > MAX_TAGS) {
      throw validation([['tagKeys', undefined, `Member must have length between 1 and ${MAX_TAGS}`]]);
    }
    const { record } = this.streamOf(input.DeliveryStreamName);
    for (const key of keys) record.tags.delete(key);
    return {};
  }

  listTagsForDeliveryStream(input: ListTagsForDeliveryStreamInput): ListTagsForDeliveryStreamOutput {
    if (input.Limit !== undefined && !(input.Limit >= 1 && input.Limit <= MAX_TAGS)) {
      throw validation([['limit', input.Limit, `Member must have value between 1 and ${MAX_TAGS}`]]);
    }
    const { record } = this.streamOf(input.DeliveryStreamName);
    const start = input.ExclusiveStartTagKey;
    const tags: Tag[] = [...record.tags]
      .filter(([key]) => start === undefined || key > start)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([Key, Value]) => ({ Key, Value }));
    const limit = input.Limit ?? MAX_TAGS;
    return { Tags: tags.slice(0, limit), HasMoreTags: tags.length > limit };
  }

  // ----- for the emulator ------------------------------------------------------------------------------------------

  /** The delivery streams, by name (the console, tests). */
  deliveryStreamNames(): string[] {
    return [...this.streams.keys()].sort();
  }

  /** Records of a delivery stream still in its buffers (not yet written to S3). */
  bufferedRecords(name: string): number {
    return this.streamOf(name).pipeline.buffered;
  }

  /** Empties the service (`POST /_emulator/reset`). */
  reset(): void {
    this.close();
    this.streams.clear();
  }

  /** Stops every buffer timer and source reader. */
  close(): void {
    for (const stream of this.streams.values()) {
      stream.pipeline.close();
      stream.source?.close();
    }
  }

  // ----- internals -------------------------------------------------------------------------------------------------

  private launch(record: DeliveryStreamRecord): void {
    const { clock, region, deliveries, writeObject, invokeFunction } = this.options;
    const pipeline = new DeliveryPipeline(record, { clock, region, deliveries, writeObject, invokeFunction });
    const source = record.source
      ? new KinesisSourceReader(
          record.source.streamArn,
          () => this.options.kinesis?.(),
          clock,
          deliveries,
          (records) => pipeline.accept(records),
        )
      : undefined;
    this.streams.set(record.name, { record, pipeline, source });
    source?.start();
  }

  private destinationOf(config: ExtendedS3DestinationConfiguration): {
    destination: S3Destination;
    description: ExtendedS3DestinationDescription;
  } {
    const bucket = BUCKET_ARN.exec(config.BucketARN ?? '');
    if (!bucket) throw invalidArgument(`BucketARN ${config.BucketARN} is not a valid S3 bucket ARN.`);
    if (!ROLE_ARN.test(config.RoleARN ?? ''))
      throw invalidArgument(`RoleARN ${config.RoleARN} is not valid.`);
    const prefix = config.Prefix ?? '';
    checkPrefix(prefix, 'Prefix');
    if (config.ErrorOutputPrefix !== undefined) checkPrefix(config.ErrorOutputPrefix, 'ErrorOutputPrefix');
    if (hasExpressions(prefix) && config.ErrorOutputPrefix === undefined) {
      // AWS: a prefix with expressions needs an error output prefix
      throw invalidArgument('ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.');
    }
    const compression = config.CompressionFormat ?? 'UNCOMPRESSED';
    if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') {
      throw invalidArgument(
        `CompressionFormat ${compression} is not supported by the local emulator (UNCOMPRESSED or GZIP).`,
      );
    }
    if (config.EncryptionConfiguration?.KMSEncryptionConfig) {
      throw invalidArgument(
        'EncryptionConfiguration.KMSEncryptionConfig is not supported by the local emulator: objects take the bucket default encryption.',
      );
    }
    if ((config.S3BackupMode ?? 'Disabled') !== 'Disabled' || config.S3BackupConfiguration) {
      throw invalidArgument('S3BackupMode Enabled is not supported by the local emulator.');
    }
    if (
      config.DataFormatConversionConfiguration?.Enabled !== undefined &&
      config.DataFormatConversionConfiguration.Enabled !== false
    ) {
      throw invalidArgument('DataFormatConversionConfiguration is not supported by the local emulator.');
    }
    if (config.DynamicPartitioningConfiguration?.Enabled === true) {
      throw invalidArgument('DynamicPartitioningConfiguration is not supported by the local emulator.');
    }
    if (config.CustomTimeZone !== undefined && config.CustomTimeZone !== 'UTC') {
      throw invalidArgument(
        `CustomTimeZone ${config.CustomTimeZone} is not supported by the local emulator (UTC only).`,
      );
    }
    if (config.FileExtension !== undefined && !/^$|^\.[0-9a-z!\-_.*'()]{1,127}$/.test(config.FileExtension)) {
      throw invalidArgument(`FileExtension ${config.FileExtension} is not valid.`);
    }
    const processor = processorOf(config.ProcessingConfiguration);
    const hints = {
      SizeInMBs: config.BufferingHints?.SizeInMBs ?? 5,
      IntervalInSeconds: config.BufferingHints?.IntervalInSeconds ?? 300,
    };
    const destination: S3Destination = {
      bucketName: bucket[1],
      prefix,
      errorOutputPrefix: config.ErrorOutputPrefix,
      bufferBytes: hints.SizeInMBs * MIB,
      bufferMs: hints.IntervalInSeconds * 1000,
      compression,
      fileExtension: config.FileExtension ?? (compression === 'GZIP' ? '.gz' : ''),
      processor,
    };
    const description: ExtendedS3DestinationDescription = {
      RoleARN: config.RoleARN,
      BucketARN: config.BucketARN,
      Prefix: config.Prefix,
      ErrorOutputPrefix: config.ErrorOutputPrefix,
      BufferingHints: hints,
      CompressionFormat: compression,
      EncryptionConfiguration: config.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
      CloudWatchLoggingOptions: config.CloudWatchLoggingOptions ?? { Enabled: false },
      ProcessingConfiguration: config.ProcessingConfiguration ?? { Enabled: false, Processors: [] },
      S3BackupMode: 'Disabled',
      DataFormatConversionConfiguration: config.DataFormatConversionConfiguration,
      DynamicPartitioningConfiguration: config.DynamicPartitioningConfiguration,
      FileExtension: config.FileExtension,
      CustomTimeZone: config.CustomTimeZone,
    };
    return { destination, description };
  }

  private streamOf(name: string | undefined): LiveStream {
    const stream = this.streams.get(name ?? '');
    if (!stream) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Firehose ${name} under account ${this.options.accountId} not found.`,
      );
    }
    return stream;
  }

  private directPutStreamOf(name: string | undefined): LiveStream {
    const stream = this.streamOf(name);
    if (stream.record.type !== 'DirectPut') {
      throw invalidArgument(`This operation is not permitted on KinesisStreamAsSource type delivery stream.`);
    }
    return stream;
  }

  private incoming(data: Uint8Array): IncomingRecord {
    return {
      recordId: recordIdOf(),
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      arrivedAt: this.options.clock.now(),
    };
  }
}

/** Destinations the emulator does not deliver to: refused by name. */
const OTHER_DESTINATIONS = [
  'RedshiftDestinationConfiguration',
  'ElasticsearchDestinationConfiguration',
  'AmazonopensearchserviceDestinationConfiguration',
  'SplunkDestinationConfiguration',
  'HttpEndpointDestinationConfiguration',
  'AmazonOpenSearchServerlessDestinationConfiguration',
  'SnowflakeDestinationConfiguration',
  'IcebergDestinationConfiguration',
] as const;

/** The Lambda processor of a ProcessingConfiguration, its parameters checked as AWS does. */
function processorOf(config: ProcessingConfiguration | undefined): LambdaProcessor | undefined {
  if (!config || config.Enabled !== true) return undefined;
  const processors = config.Processors ?? [];
  if (processors.length !== 1 || processors[0].Type !== 'Lambda') {
    throw invalidArgument(
      `Processors other than one of Type Lambda are not supported by the local emulator (got ${processors.map((p) => p.Type).join(', ') || 'none'}).`,
    );
  }
  const parameters = new Map<string, string>();
  for (const p of processors[0].Parameters ?? []) {
    if (!PROCESSOR_PARAMETERS.has(p.ParameterName ?? '')) {
      throw invalidArgument(`Processor parameter ${p.ParameterName} is not valid for a Lambda processor.`);
    }
    parameters.set(p.ParameterName as string, p.ParameterValue ?? '');
  }
  const functionArn = parameters.get('LambdaArn');
  if (functionArn === undefined || !FUNCTION_ARN.test(functionArn)) {
    throw invalidArgument(`LambdaArn ${functionArn ?? '(missing)'} is not a valid Lambda function ARN.`);
  }
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const text = parameters.get(name);
    if (text === undefined) return fallback;
    const value = /^\d{1,4}(\.\d{1,3})?$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw invalidArgument(
        `Processor parameter ${name} must be a number between ${min} and ${max}, got '${text}'.`,
      );
    }
    return value;
  };
  return {
    functionArn,
    numberOfRetries: Math.floor(number('NumberOfRetries', 3, 0, 300)),
    bufferBytes: Math.round(number('BufferSizeInMBs', 1, 0.2, 3) * MIB),
    bufferMs: Math.round(number('BufferIntervalInSeconds', 60, 0, 900) * 1000),
  };
}

/** AWS: tag keys of 1 to 128 characters, values up to 256, at most 50 in a request. */
function checkTagList(problems: Problems, tags: readonly Tag[], member: string): void {
  if (tags.length > MAX_TAGS)
    problems.add(member, undefined, `Member must have length less than or equal to ${MAX_TAGS}`);
  tags.forEach((tag, i) => {
    const key = tag.Key ?? '';
    if (key.length < 1 || key.length > 128) {
      problems.add(`${member}.${i + 1}.member.key`, key, 'Member must have length between 1 and 128');
    }
    if ((tag.Value ?? '').length > 256) {
      problems.add(
        `${member}.${i + 1}.member.value`,
        tag.Value,
        'Member must have length less than or equal to 256',
      );
    }
  });
}

/** Model constraint violations, reported together as AWS's front end does (ValidationException). */
class Problems {
  private readonly problems: Array<[string, unknown, string]> = [];

  add(member: string, value: unknown, constraint: string): void {
    this.problems.push([member, value, constraint]);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw validation(this.problems);
  }
}

function validation(problems: ReadonlyArray<readonly [string, unknown, string]>): AwsError {
  const parts = problems.map(([member, value, constraint]) =>
    value === undefined
      ? `Value at '${member}' failed to satisfy constraint: ${constraint}`
      : `Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
  const count = problems.length;
  return new AwsError(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${parts.join('; ')}`,
  );
}
