/**
 * Templates by URL from the emulator's own S3 (every URL form the CLIs produce, nothing fetched from the network),
 * ValidateTemplate and GetTemplateSummary, CreateStack/UpdateStack without change sets, and exports in use.
 */
import {
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  GetTemplateSummaryCommand,
  ListImportsCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsErrorOf, TEST_CREDENTIALS } from '../../helpers/emulator';
import {
  type CloudFormationTestEmulator,
  deploy,
  describeStack,
  outputsOf,
  startCloudFormationTestEmulator,
} from './cloudformation-fixture';

const TEMPLATE = {
  Description: 'from S3',
  Parameters: {
    Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'], Description: 'stage' },
  },
  Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Role: { Type: 'AWS::IAM::Role', Properties: {} } },
  Outputs: { Name: { Value: { Ref: 'Bucket' } }, Env: { Value: { Ref: 'Env' } } },
};

describe('CloudFormation templates and stacks without change sets', () => {
  let t: CloudFormationTestEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    t = await startCloudFormationTestEmulator();
    s3 = new S3Client({
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'templates' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'templates', Key: 'app/v 1.json', Body: JSON.stringify(TEMPLATE) }),
    );
  });
  afterAll(async () => {
    s3.destroy();
    await t.stop();
  });

  test.each([
    ['the emulator, path style', (endpoint: string) => `${endpoint}/templates/app/v%201.json`],
    [
      'the emulator, virtual host',
      (endpoint: string) => endpoint.replace('127.0.0.1', 'templates.localhost') + '/app/v%201.json',
    ],
    [
      's3.REGION.amazonaws.com/bucket/key',
      () => 'https://s3.us-east-1.amazonaws.com/templates/app/v%201.json',
    ],
    ['s3.amazonaws.com/bucket/key', () => 'https://s3.amazonaws.com/templates/app/v%201.json'],
    ['bucket.s3.amazonaws.com/key', () => 'https://templates.s3.amazonaws.com/app/v%201.json'],
    [
      'bucket.s3.REGION.amazonaws.com/key',
      () => 'https://templates.s3.us-east-1.amazonaws.com/app/v%201.json',
    ],
  ])('ValidateTemplate reads a TemplateURL of %s from the emulator S3', async (_form, url) => {
    // Act
    const validated = await t.cfn.send(
      new ValidateTemplateCommand({ TemplateURL: url(t.emulator.endpoint) }),
    );

    // Assess
    expect(validated).toMatchObject({
      Description: 'from S3',
      Parameters: [{ ParameterKey: 'Env', DefaultValue: 'dev', NoEcho: false, Description: 'stage' }],
      Capabilities: ['CAPABILITY_IAM'],
      CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]',
    });
  });

  test('a TemplateURL to no object, or not to S3, answers AWS errors', async () => {
    const missing = await awsErrorOf(
      t.cfn.send(
        new ValidateTemplateCommand({ TemplateURL: 'https://templates.s3.amazonaws.com/nope.json' }),
      ),
    );
    const elsewhere = await awsErrorOf(
      t.cfn.send(new ValidateTemplateCommand({ TemplateURL: 'https://example.com/templates/app.json' })),
    );
    expect(missing).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: 'TemplateURL must reference a valid S3 object to which you have access.',
    });
    expect(elsewhere.message).toBe('TemplateURL must be a supported URL.');
  });

  test('hostile templates (YAML alias bombs, deep nesting, too many resources) answer a format error at once', async () => {
    // Prepare: nine levels of aliases, each doubling nine times: 9^9 values once expanded
    const bomb = ['Resources: {}', 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
      .concat(
        Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`),
      )
      .join('\n');
    const deep = `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": ${'['.repeat(5000)}${']'.repeat(5000)}}}}}`;
    const many = {
      Resources: Object.fromEntries(
        Array.from({ length: 501 }, (_, i) => [`Q${i}`, { Type: 'AWS::SQS::Queue' }]),
      ),
    };

    // Act
    const errors = await Promise.all(
      [bomb, deep, JSON.stringify(many)].map((body) =>
        awsErrorOf(t.cfn.send(new ValidateTemplateCommand({ TemplateBody: body }))),
      ),
    );

    // Assess
    expect(errors.map((e) => [e.name, e.status, e.message])).toEqual([
      ['ValidationError', 400, 'Template format error: the template holds too many values.'],
      ['ValidationError', 400, 'Template format error: the template nests more than 100 levels deep.'],
      [
        'ValidationError',
        400,
        'Template format error: Number of resources, 501, is greater than maximum allowed, 500',
      ],
    ]);
  });

  test('CreateStack from a TemplateURL with a parameter; UpdateStack with nothing to do says so', async () => {
    // Act
    await t.cfn.send(
      new CreateStackCommand({
        StackName: 'direct',
        TemplateURL: `${t.emulator.endpoint}/templates/app/v%201.json`,
        Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }],
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    await t.settled();
    const noCapability = await awsErrorOf(
      t.cfn.send(new UpdateStackCommand({ StackName: 'direct', UsePreviousTemplate: true })),
    );
    const noUpdate = await awsErrorOf(
      t.cfn.send(
        new UpdateStackCommand({
          StackName: 'direct',
          UsePreviousTemplate: true,
          Parameters: [{ ParameterKey: 'Env', UsePreviousValue: true }],
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    );
    const badValue = await awsErrorOf(
      t.cfn.send(
        new UpdateStackCommand({
          StackName: 'direct',
          UsePreviousTemplate: true,
          Parameters: [{ ParameterKey: 'Env', ParameterValue: 'qa' }],
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    );

    // Assess
    const stack = await describeStack(t, 'direct');
    expect(stack).toMatchObject({
      StackStatus: 'CREATE_COMPLETE',
      Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }],
      Capabilities: ['CAPABILITY_IAM'],
    });
    expect(outputsOf(stack).Env).toBe('prod');
    expect(t.emulator.s3.listBuckets().map((b) => b.name)).toContain(outputsOf(stack).Name);
    expect(noCapability).toMatchObject({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_IAM]',
    });
    expect(noUpdate).toMatchObject({ name: 'ValidationError', message: 'No updates are to be performed.' });
    expect(badValue.message).toBe("Parameter 'Env' must be one of AllowedValues");
    const summary = await t.cfn.send(new GetTemplateSummaryCommand({ StackName: 'direct' }));
    expect(summary).toMatchObject({
      ResourceTypes: ['AWS::S3::Bucket', 'AWS::IAM::Role'],
      Parameters: [
        {
          ParameterKey: 'Env',
          ParameterType: 'String',
          ParameterConstraints: { AllowedValues: ['dev', 'prod'] },
        },
      ],
    });
    // a bucket with an object fails to delete, as on AWS
    await s3.send(new PutObjectCommand({ Bucket: outputsOf(stack).Name, Key: 'k', Body: 'x' }));
    await t.cfn.send(new DeleteStackCommand({ StackName: 'direct' }));
    await t.settled();
    const failed = await describeStack(t, 'direct');
    expect(failed).toMatchObject({
      StackStatus: 'DELETE_FAILED',
      StackStatusReason: 'The following resource(s) failed to delete: [Bucket]. ',
    });
  });

  test('an export in use cannot be removed; ListImports names its importer; DeleteChangeSet of no such name succeeds', async () => {
    // Prepare
    await deploy(t, 'producer', {
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
      Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Q', 'Arn'] }, Export: { Name: 'shared-arn' } } },
    });
    await deploy(t, 'consumer', {
      Resources: {
        T: { Type: 'AWS::SNS::Topic' },
        S: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'T' },
            Protocol: 'sqs',
            Endpoint: { 'Fn::ImportValue': 'shared-arn' },
          },
        },
      },
    });

    // Act
    const imports = await t.cfn.send(new ListImportsCommand({ ExportName: 'shared-arn' }));
    const removal = await deploy(t, 'producer', { Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    await t.cfn.send(new DeleteChangeSetCommand({ StackName: 'producer', ChangeSetName: 'never-made' }));

    // Assess
    expect(imports.Imports).toEqual(['consumer']);
    expect(removal.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const { StackEvents } = await t.cfn.send(new DescribeStackEventsCommand({ StackName: 'producer' }));
    expect(
      StackEvents?.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')?.ResourceStatusReason,
    ).toBe('Export shared-arn cannot be deleted as it is in use by consumer');
  });
});
