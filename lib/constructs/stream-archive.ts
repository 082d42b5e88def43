import {
  type CfnElement,
  Duration,
  RemovalPolicy,
  Size,
  SizeRoundingBehavior,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { Problems } from '../validation';
import type { AlarmNotificationProps } from './alarm-topic';
import { acknowledgeNagRule } from './nag-acknowledgment';

/** Properties of a {@link StreamArchive}. */
export interface StreamArchiveProps extends AlarmNotificationProps {
  /** The Kinesis stream to archive (Firehose starts at its newest records). */
  readonly stream: kinesis.IStream;
  /** The bucket the objects go to. */
  readonly bucket: s3.IBucket;
  /** Transforms each buffered batch (Ok / Dropped / ProcessingFailed per record). @default none: records as sent */
  readonly transform?: lambda.IFunction;
  /** Write an object at least this often (0–900 s). @default Duration.seconds(300) */
  readonly bufferingInterval?: Duration;
  /** Or as soon as this much has been buffered (1–128 MiB). @default Size.mebibytes(5) */
  readonly bufferingSize?: Size;
  /** The transform is called at least this often (0–900 s). @default Duration.seconds(60) */
  readonly transformBufferingInterval?: Duration;
  /** Key prefix of the objects; `YYYY/MM/DD/HH/` follows unless it has a `!{timestamp:…}`. @default none */
  readonly prefix?: string;
  /** Key prefix of the records the transform failed. @default AWS's `processing-failed/` */
  readonly errorOutputPrefix?: string;
  /** How long the delivery stream's error log keeps events. @default RetentionDays.ONE_WEEK */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the error log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** AWS limits of a Firehose delivery stream to S3, in seconds and MiB. */
export const STREAM_ARCHIVE_LIMITS = {
  bufferingInterval: { min: 0, max: 900 },
  bufferingSizeMiB: { min: 1, max: 128, unit: 'MiB' },
} as const;

/**
 * A Firehose delivery stream that loads a Kinesis stream into an S3 bucket in buffered batches (one object per
 * interval or size, whichever comes first), optionally through a Lambda transform, with its delivery errors in a
 * log group of its own. Alarms when the stream's records wait longer than two intervals to reach the bucket.
 */
export class StreamArchive extends Construct {
  /** The delivery stream. */
  readonly deliveryStream: firehose.DeliveryStream;
  /** In alarm while the oldest record not yet in S3 is older than twice the buffering interval (and 5 min). */
  readonly freshnessAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamArchiveProps) {
    super(scope, id);
    validateStreamArchiveProps(props).throwIfAny(`StreamArchive '${this.node.path}'`);
    const interval = props.bufferingInterval ?? Duration.seconds(300);
    const logGroup = new logs.LogGroup(this, 'DeliveryLog', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // 'Default' leaves no trace in the logical id: the delivery stream's is this construct's own
    this.deliveryStream = new firehose.DeliveryStream(this, 'Default', {
      source: new firehose.KinesisStreamSource(props.stream),
      destination: new firehose.S3Bucket(props.bucket, {
        bufferingInterval: interval,
        bufferingSize: props.bufferingSize ?? Size.mebibytes(5),
        compression: firehose.Compression.UNCOMPRESSED,
        dataOutputPrefix: props.prefix,
        errorOutputPrefix: props.errorOutputPrefix,
        loggingConfig: new firehose.EnableLogging(logGroup),
        ...(props.transform
          ? {
              processors: [
                new firehose.LambdaFunctionProcessor(props.transform, {
                  bufferInterval: props.transformBufferingInterval ?? Duration.seconds(60),
                  bufferSize: Size.mebibytes(1),
                  retries: 3,
                }),
              ],
            }
          : {}),
      }),
    });
    const freshness = Math.max(2 * interval.toSeconds(), 300);
    this.freshnessAlarm = new cloudwatch.Alarm(this, 'FreshnessAlarm', {
      alarmDescription: `Records of ${this.node.path} wait more than ${freshness} seconds to reach the bucket`,
      metric: this.deliveryStream.metric('DeliveryToS3.DataFreshness', {
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: freshness,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.freshnessAlarm.addAlarmAction(props.alarmAction);
    acknowledgeArchiveFindings(this, props);
    acknowledgeNagRule(
      logGroup,
      'CloudWatchLogGroupEncrypted',
      'This log group holds Firehose delivery errors (error codes and messages, never record data), encrypted at rest by CloudWatch Logs; a customer-managed key would add a key policy for the logs service to maintain',
    );
  }
}

/** What CDK's DeliveryStream makes that the packs flag, each with the reason it stays. */
function acknowledgeArchiveFindings(archive: StreamArchive, props: StreamArchiveProps): void {
  const stream = archive.deliveryStream;
  Validations.of(stream).acknowledge({
    id: 'AwsSolutions::AwsSolutions-KDF1',
    reason:
      'AWS: server-side encryption of a delivery stream applies to Direct PUT sources only; this one reads a Kinesis stream encrypted with its own customer-managed key, and the bucket encrypts the objects at rest',
  });
  const policies = ['S3 Destination Role', 'Service Role']
    .map((role) => stream.node.tryFindChild(role)?.node.tryFindChild('DefaultPolicy'))
    .filter((policy): policy is IConstruct => policy !== undefined);
  for (const policy of policies) {
    acknowledgeNagRule(
      policy,
      'IAMNoInlinePolicy',
      "CDK's DeliveryStream grants its own roles (reading the source stream, writing the bucket, invoking the transform) in their default policies; it offers no way to make them managed policies, and each role serves this delivery stream only",
    );
  }
  const destinationPolicy = policies[0];
  if (!destinationPolicy) return;
  const stack = Stack.of(archive);
  const bucketArn = `<${stack.getLogicalId(props.bucket.node.defaultChild as CfnElement)}.Arn>`;
  const grants = [
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
      (a) => `Action::${a}`,
    ),
    `Resource::${bucketArn}/*`,
  ];
  if (props.transform?.node.defaultChild) {
    grants.push(`Resource::<${stack.getLogicalId(props.transform.node.defaultChild as CfnElement)}.Arn>:*`);
  }
  Validations.of(destinationPolicy).acknowledge(
    ...grants.map((finding) => ({
      id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`,
      reason:
        "CDK's S3 destination grants Firehose the bucket's read-write actions (Firehose lists and checks the bucket, writes objects under keys it makes up from the time, and aborts unfinished uploads) and lambda:InvokeFunction on every version of the transform",
    })),
  );
  // CDK adds its own mapping of Firehose's CIDR blocks per region, used only for Redshift and OpenSearch destinations
  Validations.of(stack).acknowledge({
    id: 'CloudFormation-Validate::W7001',
    reason:
      "CDK's aws-kinesisfirehose adds a mapping of Firehose's CIDR blocks per region to every stack with a delivery stream, used only by destinations that need an IP allow list (Redshift, OpenSearch); an S3 destination never references it",
  });
}

/** Checks the archive's props against Firehose's limits. */
export function validateStreamArchiveProps(props: StreamArchiveProps): Problems {
  const problems = new Problems();
  const l = STREAM_ARCHIVE_LIMITS;
  problems.durationRange('bufferingInterval', props.bufferingInterval, l.bufferingInterval);
  problems.durationRange('transformBufferingInterval', props.transformBufferingInterval, l.bufferingInterval);
  if (props.bufferingSize !== undefined && !props.bufferingSize.isUnresolved()) {
    problems.range(
      'bufferingSize',
      props.bufferingSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE }),
      l.bufferingSizeMiB,
    );
  }
  if (props.transformBufferingInterval !== undefined && props.transform === undefined) {
    problems.add('transformBufferingInterval needs a transform');
  }
  const expressions = props.prefix?.includes('!{') ?? false;
  if (expressions && props.errorOutputPrefix === undefined) {
    problems.add('errorOutputPrefix is required when prefix uses !{...} expressions, as Firehose requires');
  }
  return problems;
}
