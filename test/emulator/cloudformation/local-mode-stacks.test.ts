/**
 * One deploy engine: the stacks npm start deploys are CloudFormation stacks of the emulator, so DescribeStacks
 * lists them (outputs, resources, events) and an update through the wire changes them in place.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { type LocalApp, startLocalApp } from '../../helpers/local-app';

const QUEUE = 'StandardQueueA15FB1C2';

describe('npm start stacks through CloudFormation', () => {
  let app: LocalApp;
  let cfn: CloudFormationClient;
  let stackName: string;
  beforeAll(async () => {
    app = await startLocalApp();
    cfn = new CloudFormationClient({
      endpoint: app.mode.emulator.endpoint,
      region: app.mode.emulator.region,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    stackName = app.mode.deployment.stacks.find((s) => s.id === 'QueueBasics')?.stackName ?? 'QueueBasics';
  });
  afterAll(async () => {
    cfn.destroy();
    await app.mode.emulator.cloudformation.settled();
    await app.stop();
  });

  /** The stack's template, as deployed, with the standard queue's visibility timeout set. */
  async function withVisibilityTimeout(seconds: number): Promise<string> {
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: stackName }));
    const template = JSON.parse(TemplateBody ?? '{}');
    template.Resources[QUEUE].Properties.VisibilityTimeout = seconds;
    return JSON.stringify(template);
  }

  async function visibilityTimeout(queueUrl: string): Promise<string | undefined> {
    const { Attributes } = await app.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );
    return Attributes?.VisibilityTimeout;
  }

  test('DescribeStacks lists every stack npm start deployed, with its outputs, resources and events', async () => {
    // Act
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({}));
    const resources = await cfn.send(new ListStackResourcesCommand({ StackName: stackName }));
    const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));

    // Assess
    expect(Stacks.map((s) => s.StackName).sort()).toEqual(
      app.mode.deployment.stacks.map((s) => s.stackName).sort(),
    );
    const stack = Stacks.find((s) => s.StackName === stackName);
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack?.Outputs).toContainEqual(
      expect.objectContaining({
        OutputKey: 'StandardQueueUrl',
        OutputValue: app.output('QueueBasics', 'StandardQueueUrl'),
      }),
    );
    expect(resources.StackResourceSummaries).toContainEqual(
      expect.objectContaining({
        LogicalResourceId: QUEUE,
        ResourceType: 'AWS::SQS::Queue',
        ResourceStatus: 'CREATE_COMPLETE',
        PhysicalResourceId: app.output('QueueBasics', 'StandardQueueUrl'),
      }),
    );
    // newest first: the stack's CREATE_COMPLETE, back to its CREATE_IN_PROGRESS
    expect(StackEvents[0]).toMatchObject({ LogicalResourceId: stackName, ResourceStatus: 'CREATE_COMPLETE' });
    expect(StackEvents.at(-1)).toMatchObject({
      LogicalResourceId: stackName,
      ResourceStatus: 'CREATE_IN_PROGRESS',
      ResourceStatusReason: 'User Initiated',
    });
    expect(StackEvents).toContainEqual(
      expect.objectContaining({ LogicalResourceId: QUEUE, ResourceStatus: 'CREATE_COMPLETE' }),
    );
  });

  test('UpdateStack and a change set change a queue in place, keeping its messages', async () => {
    // Prepare: a message waiting in the queue
    const queueUrl = app.output('QueueBasics', 'StandardQueueUrl');
    await app.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'kept' }));

    // Act: UpdateStack
    await cfn.send(
      new UpdateStackCommand({ StackName: stackName, TemplateBody: await withVisibilityTimeout(45) }),
    );
    await app.mode.emulator.cloudformation.settled();
    const updated = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));

    // Assess
    expect(updated.Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(await visibilityTimeout(queueUrl)).toBe('45');

    // Act: a change set, as cdk deploy makes one
    const { Id } = await cfn.send(
      new CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: 'cdk-deploy-change-set',
        ChangeSetType: 'UPDATE',
        TemplateBody: await withVisibilityTimeout(60),
      }),
    );
    await app.mode.emulator.cloudformation.settled();
    const changeSet = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: Id }));
    await app.mode.emulator.cloudformation.settled();
    const executed = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const received = await app.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
    );

    // Assess: modified without replacement, same queue, the message still there
    expect(changeSet.Changes?.map((c) => c.ResourceChange)).toEqual([
      expect.objectContaining({ Action: 'Modify', LogicalResourceId: QUEUE, Replacement: 'False' }),
    ]);
    expect(executed.Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(await visibilityTimeout(queueUrl)).toBe('60');
    expect(received.Messages?.map((m) => m.Body)).toEqual(['kept']);
  });
});
