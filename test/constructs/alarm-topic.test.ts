import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmTopic, type AlarmTopicProps } from '../../lib/constructs/alarm-topic';
import { resourcesOfType, testApp } from '../helpers/cdk';

function alarmTopicStack(props?: AlarmTopicProps) {
  const stack = new Stack(testApp(), 'TestStack');
  const alarmTopic = new AlarmTopic(stack, 'AlarmTopic', props);
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
    metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Failures' }),
    threshold: 0,
    evaluationPeriods: 1,
  });
  alarm.addAlarmAction(alarmTopic.alarmAction);
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return {
    alarmTopic,
    template: Template.fromStack(stack),
    topicId: id(alarmTopic.topic),
    keyId: id(alarmTopic.key),
  };
}

describe('AlarmTopic', () => {
  const { template, topicId, keyId } = alarmTopicStack();

  test('its alarm action makes an alarm notify the topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topicId }] });
  });

  test("the topic's logical id is the construct's own", () => {
    expect(topicId).toMatch(/^AlarmTopic[0-9A-F]{8}$/);
  });

  test('encrypts the topic with a rotating key of its own that CloudWatch of this account may use', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });

  test('denies publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('lets CloudWatch of this account publish in the topic policy, which replaces the default one', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  test('retains its key by default, or follows the removal policy given', () => {
    const destroyed = alarmTopicStack({ removalPolicy: RemovalPolicy.DESTROY });

    expect(resourcesOfType(template, 'AWS::KMS::Key').map(([, key]) => key.DeletionPolicy)).toEqual([
      'Retain',
    ]);
    expect(resourcesOfType(destroyed.template, 'AWS::KMS::Key').map(([, key]) => key.DeletionPolicy)).toEqual(
      ['Delete'],
    );
  });
});
