/**
 * The AWS CLIs against the emulator's CloudFormation: `aws cloudformation deploy --template-file` runs the
 * create and update change sets end to end (YAML with short forms, as people write templates), an update keeps
 * the queue's messages, `describe-stack-events` reads the events, and `delete-stack` removes it all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetQueueAttributesCommand, ListQueuesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { AWS_CLIS, AWS_CLIENT_ENVIRONMENT, awsCli, run } from '../../helpers/aws-clients';
import {
  type CloudFormationTestEmulator,
  describeStack,
  outputsOf,
  startCloudFormationTestEmulator,
} from './cloudformation-fixture';

function yamlTemplate(visibilityTimeout: number): string {
  return [
    'Description: a queue and its dead-letter queue',
    'Parameters:',
    '  Retention:',
    '    Type: Number',
    '    Default: 3600',
    'Resources:',
    '  Dead:',
    '    Type: AWS::SQS::Queue',
    '  Work:',
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    `      VisibilityTimeout: ${visibilityTimeout}`,
    '      MessageRetentionPeriod: !Ref Retention',
    '      RedrivePolicy:',
    '        deadLetterTargetArn: !GetAtt Dead.Arn',
    '        maxReceiveCount: 3',
    'Outputs:',
    '  WorkUrl:',
    '    Value: !Ref Work',
    '  DeadName:',
    '    Value: !Sub "${Dead.QueueName}"',
    '',
  ].join('\n');
}

describe.each(AWS_CLIS)('%s: aws cloudformation deploy', (_name, command) => {
  let t: CloudFormationTestEmulator;
  let dir: string;
  beforeEach(async () => {
    t = await startCloudFormationTestEmulator();
    dir = mkdtempSync(path.join(tmpdir(), 'cfn-cli-'));
  });
  afterEach(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `aws cloudformation deploy` of the template with this visibility timeout. */
  async function cliDeploy(visibilityTimeout: number, ...extra: string[]): Promise<string> {
    const file = path.join(dir, `template-${visibilityTimeout}.yaml`);
    writeFileSync(file, yamlTemplate(visibilityTimeout));
    const { stdout } = await run(
      command,
      [
        '--endpoint-url',
        t.emulator.endpoint,
        'cloudformation',
        'deploy',
        '--stack-name',
        'cli-app',
        '--template-file',
        file,
        ...extra,
      ],
      { env: AWS_CLIENT_ENVIRONMENT },
    );
    return stdout;
  }

  test('create, an in-place update that keeps the messages, no changes, then delete-stack', async () => {
    // Act: create
    const created = await cliDeploy(30);
    const stack = await describeStack(t, 'cli-app');
    const url = outputsOf(stack).WorkUrl;
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'survives the update' }));

    // Act: update, then the same template again
    const updated = await cliDeploy(120);
    const unchanged = await cliDeploy(120, '--no-fail-on-empty-changeset');

    // Assess
    expect(created).toContain('Successfully created/updated stack - cli-app');
    expect(updated).toContain('Successfully created/updated stack - cli-app');
    expect(unchanged).toContain('No changes to deploy. Stack cli-app is up to date');
    expect(await describeStack(t, 'cli-app')).toMatchObject({
      StackStatus: 'UPDATE_COMPLETE',
      Description: 'a queue and its dead-letter queue',
      Parameters: [{ ParameterKey: 'Retention', ParameterValue: '3600' }],
    });
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'VisibilityTimeout',
          'MessageRetentionPeriod',
          'RedrivePolicy',
          'ApproximateNumberOfMessages',
        ],
      }),
    );
    expect(Attributes).toMatchObject({
      VisibilityTimeout: '120',
      MessageRetentionPeriod: '3600',
      ApproximateNumberOfMessages: '1',
    });
    expect(JSON.parse(Attributes?.RedrivePolicy as string)).toMatchObject({ maxReceiveCount: 3 });
    const events = (await awsCli(
      command,
      t.emulator.endpoint,
      'cloudformation',
      'describe-stack-events',
      '--stack-name',
      'cli-app',
    )) as {
      StackEvents: Array<{ LogicalResourceId: string; ResourceStatus: string; Timestamp: string }>;
    };
    expect(events.StackEvents.slice(0, 5).map((e) => [e.LogicalResourceId, e.ResourceStatus])).toEqual([
      ['cli-app', 'UPDATE_COMPLETE'],
      ['cli-app', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
      ['Work', 'UPDATE_COMPLETE'],
      ['Work', 'UPDATE_IN_PROGRESS'],
      ['cli-app', 'UPDATE_IN_PROGRESS'],
    ]);
    expect(events.StackEvents.at(-1)).toMatchObject({
      LogicalResourceId: 'cli-app',
      ResourceStatus: 'REVIEW_IN_PROGRESS',
    });

    // Act: delete
    await awsCli(command, t.emulator.endpoint, 'cloudformation', 'delete-stack', '--stack-name', 'cli-app');
    await t.settled();
    expect(await t.sqs.send(new ListQueuesCommand({}))).not.toHaveProperty('QueueUrls');
  });
});
