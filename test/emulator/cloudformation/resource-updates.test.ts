/**
 * UpdateStack changes Auto Scaling groups and Lambda event source mappings in place where AWS does (sizes;
 * batch size, enabled, batching window), keeping their identity, and replaces them where AWS does.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import {
  type CloudFormationTestEmulator,
  createChangeSet,
  deploy,
  describeStack,
  outputsOf,
  startCloudFormationTestEmulator,
} from './cloudformation-fixture';

describe('CloudFormation updates of Auto Scaling groups and event source mappings', () => {
  let t: CloudFormationTestEmulator;
  let lambda: LambdaClient;
  let autoscaling: AutoScalingClient;
  beforeAll(async () => {
    t = await startCloudFormationTestEmulator();
    const config = { endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
    lambda = new LambdaClient(config);
    autoscaling = new AutoScalingClient(config);
  });
  afterAll(async () => {
    lambda.destroy();
    autoscaling.destroy();
    await t.stop();
  });

  async function update(stackName: string, template: unknown): Promise<string | undefined> {
    await t.cfn.send(
      new UpdateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }),
    );
    await t.settled();
    return (await describeStack(t, stackName)).StackStatus;
  }

  test('an event source mapping keeps its UUID while BatchSize, Enabled and the batching window change', async () => {
    // Prepare
    const template = (mapping: Record<string, unknown>, queue = 'Jobs') => ({
      Resources: {
        Jobs: { Type: 'AWS::SQS::Queue' },
        Other: { Type: 'AWS::SQS::Queue' },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { ZipFile: 'exports.handler = async () => {};' },
            Handler: 'index.handler',
            Runtime: 'nodejs22.x',
            Role: 'arn:aws:iam::000000000000:role/fn',
          },
        },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
            FunctionName: { Ref: 'Fn' },
            ...mapping,
          },
        },
      },
      Outputs: { Mapping: { Value: { Ref: 'Mapping' } } },
    });
    const created = await deploy(t, 'esm', template({ BatchSize: 5, Enabled: false }));
    const uuid = outputsOf(created).Mapping;

    // Act
    const changeSet = await createChangeSet(
      t,
      'esm',
      template({ BatchSize: 20, Enabled: true, MaximumBatchingWindowInSeconds: 3 }),
    );
    const status = await update(
      'esm',
      template({ BatchSize: 20, Enabled: true, MaximumBatchingWindowInSeconds: 3 }),
    );
    const updated = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

    // Assess
    expect(
      changeSet.Changes?.map((c) => [c.ResourceChange?.LogicalResourceId, c.ResourceChange?.Replacement]),
    ).toEqual([['Mapping', 'False']]);
    expect(status).toBe('UPDATE_COMPLETE');
    expect(updated).toMatchObject({ BatchSize: 20, MaximumBatchingWindowInSeconds: 3, State: 'Enabled' });

    // Act: properties left out go back to AWS's defaults; a new source replaces the mapping
    const reset = await update('esm', template({ Enabled: false }));
    const defaults = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    const moved = await update('esm', template({ Enabled: false }, 'Other'));
    const replacement = outputsOf(await describeStack(t, 'esm')).Mapping;

    // Assess
    expect(reset).toBe('UPDATE_COMPLETE');
    expect(defaults).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 0, State: 'Disabled' });
    expect(moved).toBe('UPDATE_COMPLETE');
    expect(replacement).not.toBe(uuid);
    expect(t.emulator.lambda.listEventSourceMappings().map((m) => m.UUID)).toEqual([replacement]);
  });

  test('an Auto Scaling group changes its sizes in place and keeps its name and instances', async () => {
    // Prepare
    const template = (sizes: Record<string, unknown>) => ({
      Resources: {
        Group: {
          Type: 'AWS::AutoScaling::AutoScalingGroup',
          Properties: {
            LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
            AvailabilityZones: ['us-east-1a'],
            ...sizes,
          },
        },
      },
      Outputs: { Group: { Value: { Ref: 'Group' } } },
    });
    const created = await deploy(t, 'fleet', template({ MinSize: '1', MaxSize: '2', DesiredCapacity: '1' }));
    const name = outputsOf(created).Group;
    const describe = async () =>
      (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
        .AutoScalingGroups?.[0];
    const instance = (await describe())?.Instances?.[0]?.InstanceId;

    // Act
    const changeSet = await createChangeSet(
      t,
      'fleet',
      template({ MinSize: '1', MaxSize: '4', DesiredCapacity: '3' }),
    );
    const status = await update('fleet', template({ MinSize: '1', MaxSize: '4', DesiredCapacity: '3' }));
    const grown = await describe();
    // AWS: without DesiredCapacity the group keeps its capacity, within the new sizes
    const shrunk = await update('fleet', template({ MinSize: '0', MaxSize: '2' }));
    const kept = await describe();

    // Assess
    expect(
      changeSet.Changes?.map((c) => [c.ResourceChange?.LogicalResourceId, c.ResourceChange?.Replacement]),
    ).toEqual([['Group', 'False']]);
    expect(status).toBe('UPDATE_COMPLETE');
    expect(grown).toMatchObject({ MinSize: 1, MaxSize: 4, DesiredCapacity: 3 });
    expect(grown?.Instances?.map((i) => i.InstanceId)).toContain(instance);
    expect(shrunk).toBe('UPDATE_COMPLETE');
    expect(kept).toMatchObject({ AutoScalingGroupName: name, MinSize: 0, MaxSize: 2, DesiredCapacity: 2 });
  });
});
