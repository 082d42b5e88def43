/**
 * The resource types local mode deploys, and why the others are not emulated. A new emulated type is one
 * handler file here and one line in {@link RESOURCE_HANDLERS}.
 */
import { autoScalingGroupHandler, launchConfigurationHandler, scalingPolicyHandler } from './autoscaling';
import { alarmHandler } from './cloudwatch';
import { deliveryStreamHandler } from './firehose';
import { IAM_HANDLERS } from './iam';
import { KEPT_HANDLERS } from './kept';
import { kinesisStreamHandler } from './kinesis';
import {
  eventInvokeConfigHandler,
  eventSourceMappingHandler,
  functionHandler,
  permissionHandler,
} from './lambda';
import {
  autoDeleteObjectsHandler,
  bucketHandler,
  bucketNotificationsHandler,
  bucketPolicyHandler,
} from './s3';
import { subscriptionHandler, topicHandler, topicPolicyHandler } from './sns';
import { queueHandler, queuePolicyHandler } from './sqs';
import { logGroupHandler } from './logs';
import { parameterHandler } from './ssm';
import type { ResourceHandler } from './types';

export const RESOURCE_HANDLERS: Readonly<Record<string, ResourceHandler>> = {
  'AWS::SQS::Queue': queueHandler,
  'AWS::SQS::QueuePolicy': queuePolicyHandler,
  'AWS::SNS::Topic': topicHandler,
  'AWS::SNS::Subscription': subscriptionHandler,
  'AWS::SNS::TopicPolicy': topicPolicyHandler,
  'AWS::S3::Bucket': bucketHandler,
  'AWS::S3::BucketPolicy': bucketPolicyHandler,
  'Custom::S3BucketNotifications': bucketNotificationsHandler,
  'Custom::S3AutoDeleteObjects': autoDeleteObjectsHandler,
  'AWS::Lambda::Function': functionHandler,
  'AWS::Lambda::EventSourceMapping': eventSourceMappingHandler,
  'AWS::Lambda::EventInvokeConfig': eventInvokeConfigHandler,
  'AWS::Lambda::Permission': permissionHandler,
  'AWS::AutoScaling::AutoScalingGroup': autoScalingGroupHandler,
  'AWS::AutoScaling::ScalingPolicy': scalingPolicyHandler,
  'AWS::AutoScaling::LaunchConfiguration': launchConfigurationHandler,
  ...KEPT_HANDLERS,
  ...IAM_HANDLERS,
  'AWS::CloudWatch::Alarm': alarmHandler,
  'AWS::SSM::Parameter': parameterHandler,
  'AWS::Logs::LogGroup': logGroupHandler,
  'AWS::Kinesis::Stream': kinesisStreamHandler,
  'AWS::KinesisFirehose::DeliveryStream': deliveryStreamHandler,
};

/** Custom resources the emulator applies itself, so their provider functions never run. */
export const NATIVE_CUSTOM_RESOURCES: ReadonlySet<string> = new Set([
  'Custom::S3BucketNotifications',
  'Custom::S3AutoDeleteObjects',
]);

/** Why a type is not emulated, by exact type or by prefix (`AWS::EC2::`). */
const NOT_EMULATED_REASONS: ReadonlyArray<readonly [string, string]> = [
  ['AWS::CDK::Metadata', "CDK's usage metadata; nothing to run"],
  ['AWS::EC2::', 'networking is not emulated; local code runs on this machine'],
  ['AWS::Lambda::LayerVersion', 'layers are not emulated; bundle dependencies into the function'],
  ['Custom::', 'a custom resource: its provider function is not run locally'],
  ['AWS::CloudFormation::CustomResource', 'a custom resource: its provider function is not run locally'],
];

export function notEmulatedReason(type: string): string {
  const match = NOT_EMULATED_REASONS.find(
    ([prefix]) => type === prefix || (prefix.endsWith(':') && type.startsWith(prefix)),
  );
  return match?.[1] ?? 'this resource type is not emulated';
}
