import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Problems } from '../validation';

/** How the stream's capacity is managed: by AWS (on-demand) or as a number of shards (provisioned). */
export const STREAM_MODES = ['on-demand', 'provisioned'] as const;
export type StreamCapacityMode = (typeof STREAM_MODES)[number];

/** Properties of an {@link EncryptedStream}. */
export interface EncryptedStreamProps {
  /** Name of the stream. @default a name unique to this construct path */
  readonly streamName?: string;
  /** On-demand (AWS scales, billed per GB) or provisioned (billed per shard-hour). @default 'on-demand' */
  readonly mode?: StreamCapacityMode;
  /** Provisioned mode only: the number of shards (1 MB/s or 1,000 records/s of writes each). @default 1 */
  readonly shardCount?: number;
  /** How long records stay readable (24 hours – 365 days, whole hours). @default Duration.hours(24) */
  readonly retentionPeriod?: Duration;
  /** What happens to the stream and its key when they leave the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** AWS limits of a Kinesis data stream, in hours and shards. */
export const STREAM_LIMITS = {
  retentionHours: { min: 24, max: 8_760, unit: 'hours' },
  /** AWS's default shard quota per account and region in most regions. */
  shardCount: { min: 1, max: 500, unit: 'shards' },
} as const;

/**
 * A Kinesis data stream encrypted at rest with a rotating customer-managed KMS key (readers and writers are granted
 * the key with the stream), in on-demand or provisioned mode, keeping records 24 hours unless told otherwise.
 */
export class EncryptedStream extends Construct {
  /** The stream. */
  readonly stream: kinesis.Stream;
  /** The key that encrypts its records. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptedStreamProps = {}) {
    super(scope, id);
    validateEncryptedStreamProps(props).throwIfAny(`EncryptedStream '${this.node.path}'`);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const provisioned = props.mode === 'provisioned';
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the records of the Kinesis stream ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // 'Default' leaves no trace in the logical id: the stream's is this construct's own
    this.stream = new kinesis.Stream(this, 'Default', {
      streamName: props.streamName,
      streamMode: provisioned ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND,
      ...(provisioned ? { shardCount: props.shardCount ?? 1 } : {}),
      retentionPeriod: props.retentionPeriod ?? Duration.hours(24),
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.key,
      removalPolicy,
    });
  }
}

/** Checks the stream's props against AWS's limits. */
export function validateEncryptedStreamProps(props: EncryptedStreamProps): Problems {
  const problems = new Problems();
  if (props.mode !== undefined && !STREAM_MODES.includes(props.mode)) {
    problems.add(`mode must be one of ${STREAM_MODES.join(', ')}, but '${props.mode}' was provided`);
  }
  if (props.shardCount !== undefined && props.mode !== 'provisioned') {
    problems.add('shardCount is for provisioned mode only: an on-demand stream sizes itself');
  }
  problems.range('shardCount', props.shardCount, STREAM_LIMITS.shardCount);
  const retention = props.retentionPeriod;
  if (retention !== undefined && !retention.isUnresolved()) {
    problems.range('retentionPeriod', retention.toHours({ integral: false }), STREAM_LIMITS.retentionHours);
  }
  if (props.streamName !== undefined && !/^[a-zA-Z0-9_.-]{1,128}$/.test(props.streamName)) {
    problems.add(
      `streamName must be 1 to 128 letters, digits, _ . or -, but '${props.streamName}' was provided`,
    );
  }
  return problems;
}
