import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedStream, type EncryptedStreamProps } from '../../lib/constructs/encrypted-stream';
import { ValidationError } from '../../lib/validation';
import { testApp } from '../helpers/cdk';

function streamStack(props: EncryptedStreamProps = {}) {
  const stack = new Stack(testApp(), 'TestStack');
  const stream = new EncryptedStream(stack, 'Clicks', props);
  return { stack, stream, template: Template.fromStack(stack) };
}

describe('EncryptedStream', () => {
  test('on-demand, 24 hours, encrypted with its own rotating key, both retained by default', () => {
    const { template, stack, stream } = streamStack();

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
      StreamEncryption: {
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [stack.getLogicalId(stream.key.node.defaultChild as never), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    expect(
      template.toJSON().Resources[stack.getLogicalId(stream.stream.node.defaultChild as never)].Properties
        .ShardCount,
    ).toBeUndefined();
  });

  test('provisioned with its shards and a week of retention, destroyed with the stack when told', () => {
    const { template } = streamStack({
      mode: 'provisioned',
      shardCount: 4,
      retentionPeriod: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
      RetentionPeriodHours: 168,
    });
    template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
  });

  test('reports every bad prop at once', () => {
    const make = () =>
      streamStack({
        mode: 'on-demand',
        shardCount: 0,
        retentionPeriod: Duration.hours(12),
        streamName: 'bad name',
      });

    expect(make).toThrow(ValidationError);
    expect(make).toThrow(
      [
        "EncryptedStream 'TestStack/Clicks' is invalid (4 problems):",
        '  - shardCount is for provisioned mode only: an on-demand stream sizes itself',
        '  - shardCount must be a whole number from 1 to 500 shards, but 0 was provided',
        '  - retentionPeriod must be a whole number from 24 to 8,760 hours, but 12 was provided',
        "  - streamName must be 1 to 128 letters, digits, _ . or -, but 'bad name' was provided",
      ].join('\n'),
    );
  });
});
