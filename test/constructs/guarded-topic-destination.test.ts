import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GuardedTopicDestination } from '../../lib/constructs/guarded-topic-destination';
import { ValidationError } from '../../lib/validation';
import { testApp } from '../helpers/cdk';

function notifyingStack(topicProps: sns.TopicProps = {}) {
  const stack = new Stack(testApp(), 'TestStack');
  const masterKey = new kms.Key(stack, 'Key');
  const topic = new sns.Topic(stack, 'Uploads', { masterKey, ...topicProps });
  const bucket = new s3.Bucket(stack, 'Images');
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new GuardedTopicDestination(topic), {
    prefix: 'images/',
  });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { template: Template.fromStack(stack), topicId: id(topic), bucketId: id(bucket), stack, topic };
}

describe('GuardedTopicDestination', () => {
  const { template, topicId, bucketId, stack, topic } = notifyingStack();
  const confusedDeputyGuard = () => ({
    ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } },
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  });

  test('S3 notifies the topic of objects created under the prefix', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        TopicConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }] } },
            TopicArn: { Ref: topicId },
          },
        ],
      },
    });
  });

  test('the topic policy lets S3 publish only for this bucket in this account', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: confusedDeputyGuard(),
          }),
        ],
      },
    });
  });

  test("the topic's key lets S3 make data keys, under the same guard", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: confusedDeputyGuard(),
          },
        ]),
      },
    });
  });

  test('the notification is configured after the topic policy exists (S3 checks it then)', () => {
    const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications'));
    const policyId = stack.getLogicalId(topic.node.findChild('Policy').node.defaultChild as never);

    expect(notifications.DependsOn).toContain(policyId);
  });

  test('refuses a FIFO topic, which S3 cannot notify', () => {
    expect(() => notifyingStack({ fifo: true })).toThrow(
      new ValidationError('GuardedTopicDestination of TestStack/Images/Notifications', [
        'S3 cannot send event notifications to a FIFO topic, but TestStack/Uploads is one',
      ]),
    );
  });
});
