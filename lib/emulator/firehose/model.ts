/** What a Firehose delivery stream is made of: its source, its S3 destination and the records on their way. */
import type {
  DeliveryStreamEncryptionConfiguration,
  ExtendedS3DestinationDescription,
} from '@aws-sdk/client-firehose';

/** A record as Firehose received it (PutRecord, PutRecordBatch, or read from the source Kinesis stream). */
export interface IncomingRecord {
  /** The id PutRecord answered, also the transform's `recordId`. */
  readonly recordId: string;
  readonly data: Buffer;
  /** Epoch milliseconds on the emulator clock when Firehose took it in. */
  readonly arrivedAt: number;
  /** Set when the record was read from a Kinesis stream: the transform's `kinesisRecordMetadata`. */
  readonly kinesis?: KinesisRecordMetadata;
}

/** AWS: what the transform function is told about a record read from a Kinesis data stream. */
export interface KinesisRecordMetadata {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp: number;
  readonly sequenceNumber: string;
  readonly subsequenceNumber: number;
}

/** The Lambda processor of a destination: which function, how many retries, and its own buffering hints. */
export interface LambdaProcessor {
  readonly functionArn: string;
  /** AWS: 3 retries by default (4 attempts in all). */
  readonly numberOfRetries: number;
  /** AWS: the transform is called with at most this much data (BufferSizeInMBs, 0.2 to 3, default 1 MB). */
  readonly bufferBytes: number;
  /** AWS: or after this long (BufferIntervalInSeconds, 0 to 900, default 60 s). */
  readonly bufferMs: number;
}

/** The S3 destination as the delivery loop uses it. */
export interface S3Destination {
  readonly bucketName: string;
  readonly prefix: string;
  readonly errorOutputPrefix: string | undefined;
  /** AWS: 5 MiB by default (SizeInMBs 1 to 128). */
  readonly bufferBytes: number;
  /** AWS: 300 s by default (IntervalInSeconds 0 to 900). */
  readonly bufferMs: number;
  readonly compression: 'UNCOMPRESSED' | 'GZIP';
  /** Appended to each object's name (FileExtension), e.g. `.json`; GZIP adds `.gz` when it is not set. */
  readonly fileExtension: string;
  readonly processor: LambdaProcessor | undefined;
}

/** A Kinesis data stream read by a `KinesisStreamAsSource` delivery stream. */
export interface KinesisSource {
  readonly streamArn: string;
  readonly roleArn: string;
  /** Epoch milliseconds: AWS starts reading at LATEST, as of when the delivery stream was created. */
  readonly deliveryStartedAt: number;
}

export interface DeliveryStreamRecord {
  readonly name: string;
  readonly arn: string;
  readonly type: 'DirectPut' | 'KinesisStreamAsSource';
  readonly createdAt: number;
  /** AWS: starts at 1 and grows with each destination update. */
  readonly versionId: number;
  readonly destinationId: string;
  readonly source: KinesisSource | undefined;
  /** DirectPut's ThroughputHintInMBs, as given. */
  readonly throughputHintInMBs: number | undefined;
  readonly destination: S3Destination;
  /** The destination as DescribeDeliveryStream gives it back. */
  readonly description: ExtendedS3DestinationDescription;
  readonly encryption: DeliveryStreamEncryptionConfiguration | undefined;
  readonly tags: Map<string, string>;
}
