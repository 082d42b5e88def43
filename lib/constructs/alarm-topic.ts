import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Properties of a construct whose alarms can also notify, e.g. an {@link AlarmTopic} (its `alarmAction`). */
export interface AlarmNotificationProps {
  /** Where the construct's alarms also send their notifications. @default none: the alarms only change state */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** What happens to the topic's key when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An SNS topic for CloudWatch alarms to notify, encrypted with a rotating customer-managed key: its topic policy
 * and its key policy let CloudWatch (of this account) publish; an AWS-managed SNS key would not, and the alarm's
 * notifications would be dropped. Requests without TLS are denied. Subscribe people or systems to {@link topic}.
 */
export class AlarmTopic extends Construct {
  /** The topic the alarms notify. */
  readonly topic: sns.Topic;
  /** The key that encrypts the topic's messages. */
  readonly key: kms.Key;
  /** The alarm action that notifies {@link topic}: `alarm.addAlarmAction(alarmTopic.alarmAction)`. */
  readonly alarmAction: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the alarm notifications of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    // 'Default' leaves no trace in the logical id: the topic's is this construct's own (AlarmTopic…).
    this.topic = new sns.Topic(this, 'Default', { masterKey: this.key, enforceSSL: true });
    // AWS: a topic policy replaces the default one, and CloudWatch publishes only where the policy allows it
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.alarmAction = new cwActions.SnsAction(this.topic);
  }
}
