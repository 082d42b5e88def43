/**
 * Stacks through change sets, as `cdk deploy` drives them, over HTTP with @aws-sdk/client-cloudformation: the
 * status life cycle and events AWS emits, updates in place (messages kept), replacement, rollback with the failing
 * resource and reason, the no-change change set, and deletion that leaves nothing behind.
 */
import {
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, ListQueuesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { awsErrorOf } from '../../helpers/emulator';
import {
  type CloudFormationTestEmulator,
  createChangeSet,
  deploy,
  describeStack,
  outputsOf,
  startCloudFormationTestEmulator,
} from './cloudformation-fixture';

function queueTemplate(queueProperties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    Resources: {
      Work: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30, ...queueProperties } },
      Topic: { Type: 'AWS::SNS::Topic' },
      Sub: {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          TopicArn: { Ref: 'Topic' },
          Protocol: 'sqs',
          Endpoint: { 'Fn::GetAtt': ['Work', 'Arn'] },
        },
      },
      ...extra,
    },
    Outputs: {
      QueueUrl: { Value: { Ref: 'Work' }, Export: { Name: 'work-queue-url' } },
      TopicArn: { Value: { Ref: 'Topic' } },
    },
  };
}

/** Events oldest first, as `[logicalId, status]` pairs. */
async function eventsOf(t: CloudFormationTestEmulator, stackName: string): Promise<StackEvent[]> {
  const { StackEvents } = await t.cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return [...(StackEvents ?? [])].reverse();
}

const pairs = (events: StackEvent[]) => events.map((e) => [e.LogicalResourceId, e.ResourceStatus]);

describe('CloudFormation stacks through change sets', () => {
  let t: CloudFormationTestEmulator;
  beforeEach(async () => {
    t = await startCloudFormationTestEmulator();
  });
  afterEach(async () => {
    await t.stop();
  });

  test('a CREATE change set: REVIEW_IN_PROGRESS, the changes, then the create with AWS events and outputs', async () => {
    // Act
    const changeSet = await createChangeSet(t, 'app', queueTemplate());
    const review = await describeStack(t, 'app');
    await t.cfn.send(
      new ExecuteChangeSetCommand({
        ChangeSetName: changeSet.ChangeSetId,
        ClientRequestToken: 'exec-create',
      }),
    );
    await t.settled();

    // Assess
    expect(review.StackStatus).toBe('REVIEW_IN_PROGRESS');
    expect(changeSet).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    expect(
      changeSet.Changes?.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId]),
    ).toEqual([
      ['Add', 'Work'],
      ['Add', 'Topic'],
      ['Add', 'Sub'],
    ]);
    const stack = await describeStack(t, 'app');
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.StackId).toMatch(
      /^arn:aws:cloudformation:us-east-1:000000000000:stack\/app\/[0-9a-f-]{36}$/,
    );
    const outputs = outputsOf(stack);
    expect(outputs.QueueUrl).toMatch(new RegExp(`^${t.emulator.endpoint}/000000000000/app-Work-`));
    expect(stack.Outputs?.find((o) => o.OutputKey === 'QueueUrl')?.ExportName).toBe('work-queue-url');
    const events = await eventsOf(t, 'app');
    expect(pairs(events)).toEqual([
      ['app', 'REVIEW_IN_PROGRESS'],
      ['app', 'CREATE_IN_PROGRESS'],
      ['Work', 'CREATE_IN_PROGRESS'],
      ['Work', 'CREATE_IN_PROGRESS'],
      ['Work', 'CREATE_COMPLETE'],
      ['Topic', 'CREATE_IN_PROGRESS'],
      ['Topic', 'CREATE_IN_PROGRESS'],
      ['Topic', 'CREATE_COMPLETE'],
      ['Sub', 'CREATE_IN_PROGRESS'],
      ['Sub', 'CREATE_IN_PROGRESS'],
      ['Sub', 'CREATE_COMPLETE'],
      ['app', 'CREATE_COMPLETE'],
    ]);
    expect(events[3]).toMatchObject({
      PhysicalResourceId: outputs.QueueUrl,
      ResourceStatusReason: 'Resource creation Initiated',
      ResourceType: 'AWS::SQS::Queue',
      ClientRequestToken: 'exec-create',
    });
    expect(new Set(events.map((e) => e.EventId)).size).toBe(events.length);
    const { Exports } = await t.cfn.send(new ListExportsCommand({}));
    expect(Exports).toEqual([
      { ExportingStackId: stack.StackId, Name: 'work-queue-url', Value: outputs.QueueUrl },
    ]);
    const resources = await t.cfn.send(new ListStackResourcesCommand({ StackName: 'app' }));
    expect(resources.StackResourceSummaries?.map((r) => [r.LogicalResourceId, r.ResourceStatus])).toEqual([
      ['Work', 'CREATE_COMPLETE'],
      ['Topic', 'CREATE_COMPLETE'],
      ['Sub', 'CREATE_COMPLETE'],
    ]);
  });

  test('an update in place keeps the queue and its messages; the change set says Replacement False', async () => {
    // Prepare
    const created = await deploy(t, 'app', queueTemplate());
    const url = outputsOf(created).QueueUrl;
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'still here' }));

    // Act
    const changeSet = await createChangeSet(t, 'app', queueTemplate({ VisibilityTimeout: 90 }));
    await t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId }));
    await t.settled();

    // Assess
    expect(changeSet.Changes).toEqual([
      {
        Type: 'Resource',
        ResourceChange: expect.objectContaining({
          Action: 'Modify',
          LogicalResourceId: 'Work',
          PhysicalResourceId: url,
          Replacement: 'False',
          Scope: ['Properties'],
          Details: [
            expect.objectContaining({
              Target: expect.objectContaining({
                Attribute: 'Properties',
                Name: 'VisibilityTimeout',
                RequiresRecreation: 'Never',
              }),
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            }),
          ],
        }),
      },
    ]);
    const stack = await describeStack(t, 'app');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(outputsOf(stack).QueueUrl).toBe(url);
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['VisibilityTimeout', 'ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes).toEqual({ VisibilityTimeout: '90', ApproximateNumberOfMessages: '1' });
    const events = await eventsOf(t, 'app');
    expect(pairs(events.slice(-5))).toEqual([
      ['app', 'UPDATE_IN_PROGRESS'],
      ['Work', 'UPDATE_IN_PROGRESS'],
      ['Work', 'UPDATE_COMPLETE'],
      ['app', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
      ['app', 'UPDATE_COMPLETE'],
    ]);
  });

  test('a new queue name replaces the queue: the new one first, the old one deleted in the clean-up', async () => {
    // Prepare
    const created = await deploy(t, 'app', queueTemplate({ QueueName: 'first' }));
    const before = outputsOf(created).QueueUrl;

    // Act
    const changeSet = await createChangeSet(t, 'app', queueTemplate({ QueueName: 'second' }));
    await t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId }));
    await t.settled();

    // Assess
    const work = changeSet.Changes?.find(
      (c) => c.ResourceChange?.LogicalResourceId === 'Work',
    )?.ResourceChange;
    expect(work).toMatchObject({ Action: 'Modify', Replacement: 'True' });
    expect(work?.Details?.[0]?.Target).toMatchObject({ Name: 'QueueName', RequiresRecreation: 'Always' });
    // the subscription's endpoint is the queue's ARN: it changes with the queue, so it may be replaced too
    const sub = changeSet.Changes?.find((c) => c.ResourceChange?.LogicalResourceId === 'Sub')?.ResourceChange;
    expect(sub).toMatchObject({ Action: 'Modify', Replacement: 'Conditional' });
    expect(sub?.Details?.[0]).toMatchObject({
      Evaluation: 'Dynamic',
      ChangeSource: 'ResourceReference',
      CausingEntity: 'Work',
    });
    const stack = await describeStack(t, 'app');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(before.endsWith('/first')).toBe(true);
    expect(outputsOf(stack).QueueUrl.endsWith('/second')).toBe(true);
    const { QueueUrls } = await t.sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls).toEqual([outputsOf(stack).QueueUrl]);
    const events = pairs(await eventsOf(t, 'app'));
    const cleanup = events.findIndex(([, s]) => s === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(events.slice(cleanup)).toEqual([
      ['app', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
      ['Sub', 'DELETE_IN_PROGRESS'],
      ['Sub', 'DELETE_COMPLETE'],
      ['Work', 'DELETE_IN_PROGRESS'],
      ['Work', 'DELETE_COMPLETE'],
      ['app', 'UPDATE_COMPLETE'],
    ]);
  });

  test('a change set that changes nothing fails with AWS reason; DeleteChangeSet removes it', async () => {
    // Prepare
    await deploy(t, 'app', queueTemplate());

    // Act
    const changeSet = await createChangeSet(t, 'app', queueTemplate());
    const execute = await awsErrorOf(
      t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId })),
    );
    await t.cfn.send(new DeleteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId }));
    const gone = await awsErrorOf(
      t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId })),
    );

    // Assess
    expect(changeSet).toMatchObject({
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    expect(execute).toMatchObject({ name: 'InvalidChangeSetStatusException', status: 400 });
    expect(gone).toMatchObject({ name: 'ChangeSetNotFoundException', status: 404 });
  });

  test('a failing create rolls back: the resource and reason in CREATE_FAILED, then ROLLBACK_COMPLETE', async () => {
    // Prepare: the second queue's retention is out of SQS's range
    const template = queueTemplate(
      {},
      {
        Bad: { Type: 'AWS::SQS::Queue', DependsOn: 'Sub', Properties: { MessageRetentionPeriod: 5 } },
      },
    );

    // Act
    const changeSet = await createChangeSet(t, 'broken', template);
    await t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId }));
    await t.settled();

    // Assess
    const stack = await describeStack(t, 'broken');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const events = await eventsOf(t, 'broken');
    const failed = events.find((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({ LogicalResourceId: 'Bad', ResourceType: 'AWS::SQS::Queue' });
    expect(failed?.ResourceStatusReason).toMatch(/^InvalidAttributeValue: .*MessageRetentionPeriod/);
    const rollback = events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS');
    expect(rollback?.ResourceStatusReason).toBe(
      'The following resource(s) failed to create: [Bad]. Rollback requested by user.',
    );
    expect(pairs(events.slice(events.indexOf(rollback as StackEvent)))).toEqual([
      ['broken', 'ROLLBACK_IN_PROGRESS'],
      ['Sub', 'DELETE_IN_PROGRESS'],
      ['Sub', 'DELETE_COMPLETE'],
      ['Topic', 'DELETE_IN_PROGRESS'],
      ['Topic', 'DELETE_COMPLETE'],
      ['Work', 'DELETE_IN_PROGRESS'],
      ['Work', 'DELETE_COMPLETE'],
      ['broken', 'ROLLBACK_COMPLETE'],
    ]);
    const { QueueUrls } = await t.sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls).toBeUndefined();
    // AWS: a stack in ROLLBACK_COMPLETE cannot be updated, only deleted
    const update = await awsErrorOf(createChangeSet(t, 'broken', queueTemplate()));
    expect(update.message).toBe(
      `Stack:${stack.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
    );
  });

  test('a failing update rolls back to what was deployed; the messages stay', async () => {
    // Prepare
    const created = await deploy(t, 'app', queueTemplate());
    const url = outputsOf(created).QueueUrl;
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    const template = queueTemplate(
      { VisibilityTimeout: 60 },
      {
        Bad: { Type: 'AWS::SQS::Queue', DependsOn: 'Work', Properties: { DelaySeconds: 9999 } },
      },
    );

    // Act
    const changeSet = await createChangeSet(t, 'app', template);
    await t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId }));
    await t.settled();

    // Assess
    const stack = await describeStack(t, 'app');
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['VisibilityTimeout', 'ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes).toEqual({ VisibilityTimeout: '30', ApproximateNumberOfMessages: '1' });
    const events = pairs(await eventsOf(t, 'app'));
    const start = events.findIndex(([, s]) => s === 'UPDATE_ROLLBACK_IN_PROGRESS');
    expect(events.slice(start)).toEqual([
      ['app', 'UPDATE_ROLLBACK_IN_PROGRESS'],
      ['Work', 'UPDATE_IN_PROGRESS'],
      ['Work', 'UPDATE_COMPLETE'],
      ['app', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'],
      ['app', 'UPDATE_ROLLBACK_COMPLETE'],
    ]);
    const { TemplateBody } = await t.cfn.send(new GetTemplateCommand({ StackName: 'app' }));
    expect(JSON.parse(TemplateBody as string)).toEqual(queueTemplate());
    // the stack takes a good update after its rollback
    expect((await deploy(t, 'app', queueTemplate({ VisibilityTimeout: 45 }))).StackStatus).toBe(
      'UPDATE_COMPLETE',
    );
  });

  test('DeleteStack deletes every resource; the stack is then found by id only, as DELETE_COMPLETE', async () => {
    // Prepare
    const created = await deploy(t, 'app', queueTemplate());

    // Act
    await t.cfn.send(new DeleteStackCommand({ StackName: 'app', ClientRequestToken: 'bye' }));
    await t.settled();

    // Assess
    expect(await t.sqs.send(new ListQueuesCommand({}))).not.toHaveProperty('QueueUrls');
    expect(t.emulator.sns.listTopics({}).Topics ?? []).toEqual([]);
    const byName = await awsErrorOf(t.cfn.send(new DescribeStacksCommand({ StackName: 'app' })));
    expect(byName).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: 'Stack with id app does not exist',
    });
    const byId = await describeStack(t, created.StackId as string);
    expect(byId).toMatchObject({ StackStatus: 'DELETE_COMPLETE', StackName: 'app' });
    expect(byId.DeletionTime).toBeInstanceOf(Date);
    const { StackSummaries } = await t.cfn.send(
      new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }),
    );
    expect(StackSummaries?.map((s) => s.StackId)).toEqual([created.StackId]);
    const events = pairs(await eventsOf(t, created.StackId as string));
    expect(events.slice(events.findIndex(([, s]) => s === 'DELETE_IN_PROGRESS'))).toEqual([
      ['app', 'DELETE_IN_PROGRESS'],
      ['Sub', 'DELETE_IN_PROGRESS'],
      ['Sub', 'DELETE_COMPLETE'],
      ['Topic', 'DELETE_IN_PROGRESS'],
      ['Topic', 'DELETE_COMPLETE'],
      ['Work', 'DELETE_IN_PROGRESS'],
      ['Work', 'DELETE_COMPLETE'],
      ['app', 'DELETE_COMPLETE'],
    ]);
    // a stack of the same name is a new stack, with new names
    const again = await deploy(t, 'app', queueTemplate());
    expect(again.StackId).not.toBe(created.StackId);
    expect(outputsOf(again).QueueUrl).not.toBe(outputsOf(created).QueueUrl);
  });

  test("a function's new code and timeout apply in place; its event source keeps the queue; delete removes both", async () => {
    // Prepare
    const template = (answer: string, timeout: number) => ({
      Resources: {
        Jobs: { Type: 'AWS::SQS::Queue' },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { ZipFile: `exports.handler = async () => "${answer}";` },
            Handler: 'index.handler',
            Runtime: 'nodejs22.x',
            Role: 'arn:aws:iam::000000000000:role/fn',
            Timeout: timeout,
          },
        },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            EventSourceArn: { 'Fn::GetAtt': ['Jobs', 'Arn'] },
            FunctionName: { Ref: 'Fn' },
            Enabled: false,
          },
        },
      },
      Outputs: { Fn: { Value: { Ref: 'Fn' } }, Jobs: { Value: { Ref: 'Jobs' } } },
    });
    const created = await deploy(t, 'fns', template('one', 3));
    const { Fn, Jobs } = outputsOf(created);
    await t.sqs.send(new SendMessageCommand({ QueueUrl: Jobs, MessageBody: 'waiting' }));

    // Act
    const changeSet = await createChangeSet(t, 'fns', template('two', 10));
    await t.cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId }));
    await t.settled();
    const answer = await t.emulator.lambda.invoke(Fn, {});

    // Assess
    expect(
      changeSet.Changes?.map((c) => [c.ResourceChange?.LogicalResourceId, c.ResourceChange?.Replacement]),
    ).toEqual([['Fn', 'False']]);
    expect((await describeStack(t, 'fns')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(answer.payload).toBe('two');
    expect(t.emulator.lambda.getFunction(Fn).Timeout).toBe(10);
    expect(t.emulator.lambda.listEventSourceMappings()).toHaveLength(1);
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: Jobs, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');

    // Act: delete
    await t.cfn.send(new DeleteStackCommand({ StackName: 'fns' }));
    await t.settled();
    expect(t.emulator.lambda.listFunctions()).toEqual([]);
    expect(t.emulator.lambda.listEventSourceMappings()).toEqual([]);
  });

  test('bad requests answer AWS errors and change nothing', async () => {
    // Act
    const missing = await awsErrorOf(createChangeSet(t, 'app', queueTemplate(), { ChangeSetType: 'UPDATE' }));
    const noBody = await awsErrorOf(createChangeSet(t, 'app', queueTemplate(), { TemplateBody: undefined }));
    const badJson = await awsErrorOf(createChangeSet(t, 'app', '{"Resources": '));
    const noResources = await awsErrorOf(createChangeSet(t, 'app', { Outputs: {} }));
    const iam = await awsErrorOf(
      createChangeSet(t, 'app', {
        Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } },
      }),
    );
    const badName = await awsErrorOf(createChangeSet(t, '1app', queueTemplate()));
    const cycle = await awsErrorOf(
      createChangeSet(t, 'app', {
        Resources: {
          A: { Type: 'AWS::SQS::Queue', DependsOn: 'B' },
          B: { Type: 'AWS::SQS::Queue', DependsOn: 'A' },
        },
      }),
    );

    // Assess
    expect(missing).toMatchObject({ name: 'ValidationError', message: 'Stack [app] does not exist' });
    expect(noBody.message).toBe('Either Template URL or Template Body must be specified.');
    expect(badJson.message).toMatch(/^Template format error: JSON not well-formed/);
    expect(noResources.message).toBe('Template format error: At least one Resources member must be defined.');
    expect(iam).toMatchObject({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    });
    expect(badName.name).toBe('ValidationError');
    expect(cycle).toMatchObject({
      name: 'ValidationError',
      message: 'Circular dependency between resources: [A, B]',
    });
    const { StackSummaries } = await t.cfn.send(new ListStacksCommand({}));
    expect(StackSummaries).toEqual([]);
  });
});
