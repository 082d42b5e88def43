import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { Problems } from '../validation';

/**
 * An S3 event notification destination for an SNS topic, guarded against the confused deputy: the topic policy
 * (and, for an encrypted topic, the key policy) lets S3 publish only for this bucket (aws:SourceArn) owned by
 * this account (aws:SourceAccount). A bucket ARN names no account, so aws:SourceArn alone would also admit a
 * bucket of the same name in another account.
 */
export class GuardedTopicDestination implements s3.IBucketNotificationDestination {
  constructor(private readonly topic: sns.ITopic) {}

  bind(scope: Construct, bucket: s3.IBucket): s3.BucketNotificationDestinationConfig {
    const problems = new Problems();
    // AWS: S3 event notifications can target standard topics only.
    problems.check(
      this.topic.fifo,
      () => `S3 cannot send event notifications to a FIFO topic, but ${this.topic.node.path} is one`,
    );
    problems.throwIfAny(`GuardedTopicDestination of ${scope.node.path}`);

    const conditions = {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    };
    const s3Principal = new iam.ServicePrincipal('s3.amazonaws.com');
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [s3Principal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions,
      }),
    );
    // AWS: publishing to an SSE-KMS topic needs a data key from its key, which S3 asks for as itself.
    this.topic.masterKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [s3Principal],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions,
      }),
    );
    // S3 checks that it may publish when the configuration is put: the policies must exist first.
    return {
      arn: this.topic.topicArn,
      type: s3.BucketNotificationDestinationType.TOPIC,
      dependencies: [this.topic],
    };
  }
}
