import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ManualClock } from '../../../lib/emulator/clock';
import type { AssemblyStack } from '../../../lib/emulator/deploy/cloud-assembly';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import type { CfnTemplate } from '../../../lib/emulator/deploy/template';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';

function stack(id: string, template: CfnTemplate, assets: Record<string, string> = {}): AssemblyStack {
  return {
    id,
    stackName: `local-${id.toLowerCase()}`,
    template,
    dependsOn: [],
    assets: new Map(Object.entries(assets)),
  };
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('local deployment of templates', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'decoupled-deploy-'));
  let emu: Emulator;
  let sqs: SQSClient;
  const clients = () => {
    const config = { endpoint: emu.endpoint, region: emu.region, credentials: TEST_CREDENTIALS };
    return { sns: new SNSClient(config), s3: new S3Client(config), lambda: new LambdaClient(config) };
  };

  beforeEach(async () => {
    emu = await startEmulator({ port: 0, clock: new ManualClock(), onFunctionLog: () => {} });
    sqs = sqsClientFor(emu.endpoint);
  });
  afterEach(async () => {
    sqs.destroy();
    await emu.stop();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('queues get CloudFormation names and their attributes; Ref is the URL and GetAtt gives the ARN', async () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Dlq: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
        Work: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            VisibilityTimeout: 180,
            RedrivePolicy: { deadLetterTargetArn: arnOf('Dlq'), maxReceiveCount: 3 },
            Tags: [{ Key: 'stage', Value: 'sandbox' }],
          },
        },
        Ordered: {
          Type: 'AWS::SQS::Queue',
          Properties: { QueueName: 'orders.fifo', FifoQueue: true, ContentBasedDeduplication: 'true' },
        },
      },
      Outputs: {
        WorkQueueUrl: { Value: { Ref: 'Work' } },
        WorkQueueArn: { Value: arnOf('Work') },
        OrderedName: { Value: { 'Fn::GetAtt': ['Ordered', 'QueueName'] } },
      },
    };

    // Act
    const deployment = await deployStacks(emu, [stack('Queues', template)]);

    // Assess
    const url = deployment.output('Queues', 'WorkQueueUrl');
    expect(url).toMatch(new RegExp(`^${emu.endpoint}/000000000000/local-queues-Work-[A-Z0-9]{12}$`));
    expect(deployment.output('Queues', 'WorkQueueArn')).toBe(
      `arn:aws:sqs:${emu.region}:000000000000:${url.split('/').pop()}`,
    );
    expect(deployment.output('Queues', 'OrderedName')).toBe('orders.fifo');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('180');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: expect.stringMatching(/:local-queues-Dlq-[A-Z0-9]{12}$/),
      maxReceiveCount: 3,
    });
    expect(deployment.stacks[0].resources.map((r) => [r.logicalId, r.status])).toEqual([
      ['Dlq', 'emulated'],
      ['Work', 'emulated'],
      ['Ordered', 'emulated'],
    ]);
  });

  test('the same template deploys to the same names again (local URLs survive a restart)', async () => {
    const template: CfnTemplate = {
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
      Outputs: { Url: { Value: { Ref: 'Q' } } },
    };
    const first = (await deployStacks(emu, [stack('S', template)])).output('S', 'Url');
    await emu.stop();
    emu = await startEmulator({ port: 0, clock: new ManualClock() });

    const second = (await deployStacks(emu, [stack('S', template)])).output('S', 'Url');

    expect(second.split('/').pop()).toBe(first.split('/').pop());
  });

  test('topics, filtered raw subscriptions and policies; S3 notifications reach the queue', async () => {
    // Prepare
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: '*',
        },
      ],
    };
    const template: CfnTemplate = {
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'Quotes' } },
        Cars: { Type: 'AWS::SQS::Queue' },
        Sub: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'Topic' },
            Protocol: 'sqs',
            Endpoint: arnOf('Cars'),
            RawMessageDelivery: true,
            FilterPolicy: { type: ['car', 'boat'] },
          },
        },
        TopicPolicy: {
          Type: 'AWS::SNS::TopicPolicy',
          Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: policy },
        },
        QueuePolicy: {
          Type: 'AWS::SQS::QueuePolicy',
          Properties: { Queues: [{ Ref: 'Cars' }], PolicyDocument: policy },
        },
        Bucket: { Type: 'AWS::S3::Bucket' },
        BucketPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: policy },
        },
        Notifications: {
          Type: 'Custom::S3BucketNotifications',
          Properties: {
            ServiceToken: arnOf('Provider'),
            BucketName: { Ref: 'Bucket' },
            NotificationConfiguration: {
              QueueConfigurations: [
                {
                  Events: ['s3:ObjectCreated:*'],
                  Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }] } },
                  QueueArn: arnOf('Cars'),
                },
              ],
            },
          },
          DependsOn: ['QueuePolicy'],
        },
        Provider: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Runtime: 'python3.13',
            Handler: 'index.handler',
            Code: { ZipFile: 'def handler(e, c): pass' },
          },
        },
      },
      Outputs: {
        TopicArn: { Value: { Ref: 'Topic' } },
        Sub: { Value: { Ref: 'Sub' } },
        Bucket: { Value: { Ref: 'Bucket' } },
        Cars: { Value: { Ref: 'Cars' } },
      },
    };

    // Act
    const deployment = await deployStacks(emu, [stack('Fan', template)]);

    // Assess
    const { sns, s3 } = clients();
    const topicArn = deployment.output('Fan', 'TopicArn');
    const topic = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(topic.Attributes).toMatchObject({ DisplayName: 'Quotes', Policy: JSON.stringify(policy) });
    const sub = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: deployment.output('Fan', 'Sub') }),
    );
    expect(sub.Attributes).toMatchObject({
      RawMessageDelivery: 'true',
      FilterPolicy: '{"type":["car","boat"]}',
    });
    const bucket = deployment.output('Fan', 'Bucket');
    expect(bucket).toMatch(/^local-fan-bucket-[a-z0-9]{12}$/);
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(
      JSON.stringify(policy),
    );
    const notifications = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    expect(notifications.QueueConfigurations?.[0]).toMatchObject({ Events: ['s3:ObjectCreated:*'] });
    // as on AWS, applying the configuration sends s3:TestEvent to the queue
    const test = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deployment.output('Fan', 'Cars') }));
    expect(JSON.parse(test.Messages?.[0].Body ?? '{}')).toMatchObject({
      Event: 's3:TestEvent',
      Bucket: bucket,
    });
    const provider = deployment.stacks[0].resources.find((r) => r.logicalId === 'Provider');
    expect(provider).toMatchObject({
      status: 'kept',
      note: 'provider of Custom::S3BucketNotifications, which the emulator applies itself',
    });
    sns.destroy();
    s3.destroy();
  });

  test('functions run from their asset directory with the template environment; destinations apply', async () => {
    // Prepare
    const assetDir = path.join(root, 'asset.echo');
    mkdirSync(assetDir, { recursive: true });
    writeFileSync(
      path.join(assetDir, 'index.js'),
      'exports.handler = async (e) => ({ queue: process.env.QUEUE_URL, e });',
    );
    const template: CfnTemplate = {
      Resources: {
        Records: { Type: 'AWS::SQS::Queue' },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: {
              S3Bucket: { 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' },
              S3Key: 'echo.zip',
            },
            Handler: 'index.handler',
            Runtime: 'nodejs24.x',
            Role: arnOf('Role'),
            Timeout: 30,
            Environment: { Variables: { QUEUE_URL: { Ref: 'Records' } } },
          },
        },
        Config: {
          Type: 'AWS::Lambda::EventInvokeConfig',
          Properties: {
            FunctionName: { Ref: 'Fn' },
            Qualifier: '$LATEST',
            MaximumRetryAttempts: 0,
            DestinationConfig: { OnSuccess: { Destination: arnOf('Records') } },
          },
        },
        Inline: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { ZipFile: 'exports.handler = async () => "inline";' },
            Handler: 'index.handler',
            Runtime: 'nodejs22.x',
            Role: arnOf('Role'),
          },
        },
      },
      Outputs: {
        Fn: { Value: { Ref: 'Fn' } },
        Inline: { Value: { Ref: 'Inline' } },
        Records: { Value: { Ref: 'Records' } },
        RoleArn: { Value: arnOf('Role') },
      },
    };

    // Act
    const deployment = await deployStacks(emu, [stack('Fns', template, { 'echo.zip': assetDir })], {
      workDirectory: path.join(root, 'work'),
    });
    const { lambda } = clients();
    const echo = await lambda.send(
      new InvokeCommand({ FunctionName: deployment.output('Fns', 'Fn'), Payload: '{"n":1}' }),
    );
    const inline = await lambda.send(new InvokeCommand({ FunctionName: deployment.output('Fns', 'Inline') }));
    await lambda.send(
      new InvokeCommand({
        FunctionName: deployment.output('Fns', 'Fn'),
        InvocationType: 'Event',
        Payload: '{"n":2}',
      }),
    );
    await emu.idle();

    // Assess
    expect(JSON.parse(Buffer.from(echo.Payload ?? []).toString())).toEqual({
      queue: deployment.output('Fns', 'Records'),
      e: { n: 1 },
    });
    expect(JSON.parse(Buffer.from(inline.Payload ?? []).toString())).toBe('inline');
    const record = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deployment.output('Fns', 'Records') }),
    );
    expect(JSON.parse(record.Messages?.[0].Body ?? '{}')).toMatchObject({
      requestContext: { condition: 'Success' },
      requestPayload: { n: 2 },
    });
    expect(deployment.output('Fns', 'RoleArn')).toMatch(
      /^arn:aws:iam::000000000000:role\/local-fns-Role-[A-Z0-9]{12}$/,
    );
    lambda.destroy();
  });

  test('conditions skip resources and outputs; unknown types are listed as not emulated with the reason', async () => {
    const template: CfnTemplate = {
      Parameters: {
        Stage: { Type: 'String', Default: 'dev' },
        BootstrapVersion: {
          Type: 'AWS::SSM::Parameter::Value<String>',
          Default: '/cdk-bootstrap/hnb659fds/version',
        },
      },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Resources: {
        ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
        Table: { Type: 'AWS::DynamoDB::Table' },
      },
      Outputs: {
        ProdQueue: { Value: { Ref: 'ProdOnly' }, Condition: 'IsProd' },
        VpcId: { Value: { Ref: 'Vpc' } },
      },
    };

    const deployment = await deployStacks(emu, [stack('Mixed', template)]);

    expect(deployment.stacks[0].resources.map((r) => [r.logicalId, r.status, r.note])).toEqual([
      ['ProdOnly', 'skipped', 'condition IsProd is false'],
      ['Vpc', 'not-emulated', 'networking is not emulated; local code runs on this machine'],
      ['Table', 'not-emulated', 'this resource type is not emulated'],
    ]);
    expect(Object.keys(deployment.stacks[0].outputs)).toEqual(['VpcId']);
  });

  test('exports and CDK stack outputs resolve across stacks; outputsFile has the cdk deploy shape', async () => {
    const producer = stack('Producer', {
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
      Outputs: { QueueArn: { Value: arnOf('Q'), Export: { Name: 'shared-queue-arn' } } },
    });
    const consumer = stack('Consumer', {
      Resources: {
        R: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            RedrivePolicy: {
              deadLetterTargetArn: { 'Fn::ImportValue': 'shared-queue-arn' },
              maxReceiveCount: 5,
            },
          },
        },
      },
      Outputs: {
        Same: { Value: { 'Fn::GetStackOutput': { StackName: 'local-producer', OutputName: 'QueueArn' } } },
      },
    });

    const deployment = await deployStacks(emu, [producer, consumer]);

    const arn = deployment.output('Producer', 'QueueArn');
    expect(deployment.outputsFile()).toEqual({
      'local-producer': { QueueArn: arn },
      'local-consumer': { Same: arn },
    });
  });

  test('failures name the stack and the logical id', async () => {
    const bad = stack('Bad', {
      Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 99999 } } },
    });
    const dangling = stack('Dangling', { Resources: {}, Outputs: { X: { Value: { Ref: 'Nope' } } } });
    const duplicate = stack('Dup', {
      Resources: {},
      Outputs: { A: { Value: 'a', Export: { Name: 'same' } }, B: { Value: 'b', Export: { Name: 'same' } } },
    });
    const noAsset = stack('NoAsset', {
      Resources: {
        F: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { S3Bucket: 'b', S3Key: 'missing.zip' },
            Handler: 'index.handler',
            Runtime: 'nodejs24.x',
          },
        },
      },
    });

    await expect(deployStacks(emu, [bad])).rejects.toThrow(
      /^Stack local-bad, Q: AWS::SQS::Queue could not be created: InvalidAttributeValue: /,
    );
    await expect(deployStacks(emu, [dangling])).rejects.toThrow(
      'Stack local-dangling, Outputs.X: Unresolved resource dependencies [Nope] in the Resources block of the template',
    );
    await expect(deployStacks(emu, [duplicate])).rejects.toThrow(
      'Stack local-dup, Outputs.B: Export with name same is already exported by stack local-dup',
    );
    await expect(deployStacks(emu, [noAsset])).rejects.toThrow(
      'Stack local-noasset, F: AWS::Lambda::Function could not be created: Properties validation failed for resource F: the code asset missing.zip is not in the cloud assembly',
    );
  });
});
