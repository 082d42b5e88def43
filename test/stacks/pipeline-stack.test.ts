import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type Stage } from '../../lib/config';
import { PipelineStack } from '../../lib/stacks/pipeline-stack';
import { normalizedTemplate, resourcesOfType, testApp } from '../helpers/cdk';

function pipeline(stage: Stage = 'sandbox', app: App = testApp()) {
  const stack = new PipelineStack(app, 'Pipeline', { config: loadStageConfig({ stage }) });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), id };
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

describe('PipelineStack', () => {
  const { stack, template, id } = pipeline();

  test('S3 notifies the producer for objects created under uploads/ and the images queue under images/', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: id(stack.bucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [id(stack.producer.function), 'Arn'] },
          },
        ],
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }] } },
            QueueArn: { 'Fn::GetAtt': [id(stack.imagesQueue.queue), 'Arn'] },
          },
        ],
      },
    });
  });

  test('only S3, from this bucket, may send to the images queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id(stack.imagesQueue.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id(stack.bucket), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  test("the producer's asynchronous invocations are recorded in the destination queue, on success and failure", () => {
    const records = { 'Fn::GetAtt': [id(stack.invocationRecords.queue), 'Arn'] };

    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id(stack.producer.function) },
      DestinationConfig: { OnSuccess: { Destination: records }, OnFailure: { Destination: records } },
      MaximumRetryAttempts: 2,
    });
  });

  test('the consumer reads the work queue with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack.workQueue.queue), 'Arn'] },
      FunctionName: { Ref: id(stack.consumer.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(template.toJSON().Resources[id(stack.workQueue.queue)].Properties).toMatchObject({
      VisibilityTimeout: 180,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(stack.workQueue.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
  });

  test('every queue has a dead-letter queue whose redrive allow policy names it', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    const sources = queues.filter(([, q]) => q.Properties.RedrivePolicy);
    const dlqs = queues.filter(([, q]) => q.Properties.RedriveAllowPolicy);

    expect(sources).toHaveLength(3);
    expect(dlqs).toHaveLength(3);
    for (const [, source] of sources) {
      const [dlqId] = source.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'];
      const dlq = queues.find(([qid]) => qid === dlqId)?.[1];
      expect(JSON.stringify(dlq?.Properties.RedriveAllowPolicy.sourceQueueArns)).toContain(
        `:${source.Properties.QueueName}"`,
      );
    }
  });

  test('buckets block public access, are encrypted, deny non-TLS requests and log access', () => {
    for (const [, bucket] of resourcesOfType(template, 'AWS::S3::Bucket')) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
    }
    for (const [, policy] of resourcesOfType(template, 'AWS::S3::BucketPolicy')) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'order-bucket/' },
    });
  });

  test('least privilege: the producer reads uploads/ only, the consumer writes results/ only', () => {
    const statementsOf = (role: unknown): Statement[] =>
      resourcesOfType(template, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([role]))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const s3Of = (statements: Statement[]) =>
      statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const objects = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [id(stack.bucket), 'Arn'] }, `/${prefix}*`]],
    });

    const producer = s3Of(statementsOf({ Ref: id(stack.producer.function.role as never) }));
    const consumer = s3Of(statementsOf({ Ref: id(stack.consumer.function.role as never) }));

    expect(producer).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: objects('uploads/') }),
    ]);
    expect(consumer).toEqual([
      expect.objectContaining({ Action: 's3:PutObject', Resource: objects('results/') }),
    ]);
  });

  test('no IAM policy grants a wildcard SQS or S3 action, or any action on every resource', () => {
    const statements: Statement[] = resourcesOfType(template, 'AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement,
    );

    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/^(\*|sqs:\*|s3:\*)$/);
      expect(statement.Resource).not.toBe('*');
    }
  });

  test('the dead-letter alarm notifies an encrypted alarm topic whose key CloudWatch may use', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: id(stack.alarmTopic) }],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the dashboard shows queue depth, in-flight messages, age, DLQ depth, Lambda errors and duration', () => {
    const [[, dashboard]] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
      'Errors',
      'Duration',
    ]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
  });

  test('outputs the bucket, the four queue URLs, the function names and the alarm topic', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
      [
        'AlarmTopicArn',
        'BucketName',
        'ConsumerFunctionName',
        'DeadLetterQueueUrl',
        'DestinationQueueUrl',
        'ImagesQueueUrl',
        'ProducerFunctionName',
        'WorkQueueUrl',
      ].sort(),
    );
    template.hasOutput('WorkQueueUrl', { Value: { Ref: id(stack.workQueue.queue) } });
  });

  test('sandbox: data is destroyed with the stack and buckets are emptied first, so not versioned', () => {
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    for (const [, queue] of resourcesOfType(template, 'AWS::SQS::Queue'))
      expect(queue.DeletionPolicy).toBe('Delete');
    for (const [, bucket] of resourcesOfType(template, 'AWS::S3::Bucket'))
      expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
  });

  test('matches the snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});

describe('PipelineStack in prod', () => {
  const { stack, template, id } = pipeline('prod');

  test('retains queues, buckets, keys and logs, and never empties buckets', () => {
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    for (const type of ['AWS::SQS::Queue', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [, resource] of resourcesOfType(template, type))
        expect(resource.DeletionPolicy).toBe('Retain');
    }
  });

  test('versions both buckets and expires previous versions after 30 days, access logs after a year', () => {
    const buckets = template.toJSON().Resources as Record<string, { Properties: any }>;
    const rules = (bucketId: string) => buckets[bucketId].Properties.LifecycleConfiguration.Rules;

    for (const [, bucket] of resourcesOfType(template, 'AWS::S3::Bucket'))
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(rules(id(stack.bucket))).toEqual([
      { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
    ]);
    const logBucketId = buckets[id(stack.bucket)].Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(rules(logBucketId)).toEqual([
      { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
      { ExpirationInDays: 365, Status: 'Enabled' },
    ]);
  });

  test('every queue policy denies PurgeQueue', () => {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(6);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"Action":"sqs:PurgeQueue"');
    }
  });
});
