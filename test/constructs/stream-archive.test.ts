import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedStream } from '../../lib/constructs/encrypted-stream';
import { StreamArchive, type StreamArchiveProps } from '../../lib/constructs/stream-archive';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

function archiveStack(props: Partial<StreamArchiveProps> = {}, withTransform = true) {
  const stack = new Stack(testApp(), 'TestStack');
  const stream = new EncryptedStream(stack, 'Clicks');
  const bucket = new s3.Bucket(stack, 'Bucket');
  const transform = withTransform
    ? new lambda.Function(stack, 'Transform', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async (e) => e'),
      })
    : undefined;
  const archive = new StreamArchive(stack, 'Archive', { stream: stream.stream, bucket, transform, ...props });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, stream, bucket, transform, archive, id, template: Template.fromStack(stack) };
}

describe('StreamArchive', () => {
  test('reads the stream into the bucket with the hints, prefixes and the Lambda transform', () => {
    const { template, stream, bucket, transform, id } = archiveStack({
      bufferingInterval: Duration.seconds(60),
      bufferingSize: Size.mebibytes(2),
      transformBufferingInterval: Duration.seconds(0),
      prefix: 'clicks/',
      errorOutputPrefix: 'errors/!{firehose:error-output-type}/',
    });

    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': [id(stream.stream), 'Arn'] } },
      ExtendedS3DestinationConfiguration: {
        BucketARN: { 'Fn::GetAtt': [id(bucket), 'Arn'] },
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 2 },
        CompressionFormat: 'UNCOMPRESSED',
        Prefix: 'clicks/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        CloudWatchLoggingOptions: { Enabled: true },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: Match.arrayWith([
                { ParameterName: 'LambdaArn', ParameterValue: { 'Fn::GetAtt': [id(transform!), 'Arn'] } },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '0' },
              ]),
            },
          ],
        },
      },
    });
  });

  test("AWS's defaults without a transform: 300 s or 5 MiB, no processing; an alarm on data freshness", () => {
    const { template } = archiveStack({}, false);
    const [[, stream]] = resourcesOfType(template, 'AWS::KinesisFirehose::DeliveryStream');

    expect(stream.Properties.ExtendedS3DestinationConfiguration.BufferingHints).toEqual({
      IntervalInSeconds: 300,
      SizeInMBs: 5,
    });
    expect(stream.Properties.ExtendedS3DestinationConfiguration.ProcessingConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Threshold: 600,
    });
  });

  test('reports every bad prop at once', () => {
    const make = () =>
      archiveStack(
        {
          bufferingInterval: Duration.seconds(901),
          bufferingSize: Size.mebibytes(129),
          transformBufferingInterval: Duration.seconds(30),
          prefix: 'day=!{timestamp:yyyy-MM-dd}/',
        },
        false,
      );

    expect(make).toThrow(ValidationError);
    expect(make).toThrow(
      [
        "StreamArchive 'TestStack/Archive' is invalid (4 problems):",
        '  - bufferingInterval must be a whole number from 0 to 900 seconds, but 901 was provided',
        '  - bufferingSize must be a whole number from 1 to 128 MiB, but 129 was provided',
        '  - transformBufferingInterval needs a transform',
        '  - errorOutputPrefix is required when prefix uses !{...} expressions, as Firehose requires',
      ].join('\n'),
    );
  });
});
