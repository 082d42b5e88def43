import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig } from '../../lib/config';
import { HOST_QUEUE_TAG_KEY, RequestResponseStack } from '../../lib/stacks/request-response-stack';
import {
  IDLE_QUEUE_RETENTION_PERIOD_TAG,
  LAST_HEARTBEAT_TIMESTAMP_TAG,
} from '../../lambda/shared/temporary-queues/protocol';
import { normalizedTemplate, resourcesOfType, testApp } from '../helpers/cdk';

function requestResponse(props: Partial<ConstructorParameters<typeof RequestResponseStack>[2]> = {}) {
  const stack = new RequestResponseStack(testApp(), 'RequestResponse', {
    stackName: 'decoupled-sandbox-request-response',
    config: loadStageConfig({ stage: 'sandbox' }),
    ...props,
  });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), id };
}

const HOST_QUEUES = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':sqs:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':decoupled-sandbox-replies-*',
    ],
  ],
};
const OWNED = {
  StringEquals: { [`aws:ResourceTag/${HOST_QUEUE_TAG_KEY}`]: 'decoupled-sandbox-request-response' },
};

describe('RequestResponseStack', () => {
  const { stack, template, id } = requestResponse();

  test('the responder reads the request queue in batches, without a batching window, reporting failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack.requests.queue), 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 60,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(stack.requests.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: { Variables: Match.objectLike({ HOST_QUEUE_NAME_PREFIX: 'decoupled-sandbox-replies-' }) },
    });
  });

  test('the responder may send only to host queues under the prefix that carry the stack tag', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack.responder.function.role as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: HOST_QUEUES, Condition: OWNED },
        ]),
      },
    });
  });

  test('requesters create host queues only with the tag, and use, heartbeat and delete only tagged ones', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'SendRequests',
            Resource: { 'Fn::GetAtt': [id(stack.requests.queue), 'Arn'] },
          }),
          {
            Sid: 'CreateTaggedHostQueues',
            Effect: 'Allow',
            Action: ['sqs:CreateQueue', 'sqs:TagQueue'],
            Resource: HOST_QUEUES,
            Condition: {
              StringEquals: {
                [`aws:RequestTag/${HOST_QUEUE_TAG_KEY}`]: 'decoupled-sandbox-request-response',
              },
              'ForAllValues:StringEquals': {
                'aws:TagKeys': [
                  HOST_QUEUE_TAG_KEY,
                  IDLE_QUEUE_RETENTION_PERIOD_TAG,
                  LAST_HEARTBEAT_TIMESTAMP_TAG,
                ],
              },
            },
          },
          {
            Sid: 'Heartbeat',
            Effect: 'Allow',
            Action: 'sqs:TagQueue',
            Resource: HOST_QUEUES,
            Condition: {
              ...OWNED,
              'ForAllValues:StringEquals': { 'aws:TagKeys': [LAST_HEARTBEAT_TIMESTAMP_TAG] },
            },
          },
          Match.objectLike({ Sid: 'UseAndSweepOwnedHostQueues', Resource: HOST_QUEUES, Condition: OWNED }),
          { Sid: 'FindHostQueues', Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
        ],
      },
    });
  });

  test('alarms on a dead-lettered request and on requests waiting too long, with a dashboard', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.map(([, a]) => [a.Properties.MetricName, a.Properties.Threshold])).toEqual(
      expect.arrayContaining([
        ['ApproximateNumberOfMessagesVisible', 0],
        ['ApproximateAgeOfOldestMessage', 30],
      ]),
    );
    expect(alarms).toHaveLength(2);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasOutput('HostQueueNamePrefix', { Value: 'decoupled-sandbox-replies-' });
    template.hasOutput('HostQueueTag', { Value: `${HOST_QUEUE_TAG_KEY}=decoupled-sandbox-request-response` });
  });

  test('refuses a host queue prefix that leaves no room for the UUID, and an alarm threshold out of range', () => {
    expect(() =>
      requestResponse({ hostQueueNamePrefix: 'x'.repeat(44), requestAgeAlarmThreshold: Duration.hours(2) }),
    ).toThrow(
      /\(2 problems\):\n {2}- hostQueueNamePrefix must be 1-43 letters.*\n {2}- requestAgeAlarmThreshold must be a whole number from 1 to 3,600 seconds, but 7200 was provided/,
    );
  });

  test('matches the snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});
