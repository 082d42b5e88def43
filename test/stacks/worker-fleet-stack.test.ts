import { Match, Template } from 'aws-cdk-lib/assertions';
import { type ConfigContext, loadStageConfig } from '../../lib/config';
import { WorkerFleetStack } from '../../lib/stacks/worker-fleet-stack';
import { normalizedTemplate, resourcesOfType, testApp } from '../helpers/cdk';

function workerFleet(context: ConfigContext = {}) {
  const stack = new WorkerFleetStack(testApp(), 'WorkerFleet', { config: loadStageConfig(context) });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template: Template.fromStack(stack), id };
}

describe('WorkerFleetStack (sandbox, step scaling)', () => {
  const { stack, template, id } = workerFleet();

  test('a jobs queue with a dead-letter queue after 3 receives, 60 s visibility for the heartbeat to renew', () => {
    expect(template.toJSON().Resources[id(stack.jobs.queue)].Properties).toMatchObject({
      VisibilityTimeout: 60,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(stack.jobs.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
  });

  test('1 to 4 workers in the private subnets of a new VPC', () => {
    const subnets = resourcesOfType(template, 'AWS::EC2::Subnet').map(([subnetId]) => ({ Ref: subnetId }));

    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '4',
      VPCZoneIdentifier: subnets,
    });
    expect(subnets).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
  });

  test('scales with the step set-up: two backlog alarms, each with its step policy', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.resourcePropertiesCountIs('AWS::AutoScaling::ScalingPolicy', { PolicyType: 'StepScaling' }, 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: id(stack.stepScaling?.scaleOutPolicy as never) }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      AlarmActions: [{ Ref: id(stack.stepScaling?.scaleInPolicy as never) }],
    });
    expect(stack.targetTracking).toBeUndefined();
  });

  test('the dashboard shows the backlog, the instances and backlog per instance', () => {
    const [[, dashboard]] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    for (const text of [
      'ApproximateNumberOfMessagesVisible',
      'GroupDesiredCapacity',
      'GroupInServiceInstances',
      'backlog / instances',
      'Scaling alarms',
    ]) {
      expect(body).toContain(text);
    }
  });

  test('outputs the queues, the group, the notification topic and the scaling mode', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AutoScalingGroupName',
      'DeadLetterQueueUrl',
      'JobsQueueUrl',
      'NotificationTopicArn',
      'ScalingMode',
    ]);
    template.hasOutput('ScalingMode', { Value: 'step' });
    template.hasOutput('JobsQueueUrl', { Value: { Ref: id(stack.jobs.queue) } });
  });

  test('sandbox: the queues, the notification key and the flow log go with the stack', () => {
    for (const type of ['AWS::SQS::Queue', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [, resource] of resourcesOfType(template, type))
        expect(resource.DeletionPolicy).toBe('Delete');
    }
  });

  test('matches the snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });
});

describe('WorkerFleetStack with target tracking in an existing VPC', () => {
  const { stack, template } = workerFleet({
    workerScaling: 'target-tracking',
    workerMaxInstances: '10',
    workerAcceptableLatencySeconds: '120',
    workerSecondsPerJob: '3',
    workerVpcId: 'vpc-0123456789abcdef0',
    workerSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  });

  test('one target tracking policy at acceptable latency ÷ time per job, and no alarms of its own', () => {
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 1);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: Match.objectLike({ TargetValue: 40 }),
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(stack.stepScaling).toBeUndefined();
    template.hasOutput('ScalingMode', { Value: 'target-tracking' });
  });

  test('runs in the given subnets and creates no VPC', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MaxSize: '10',
      VPCZoneIdentifier: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0123456789abcdef0' });
  });

  test('the dashboard marks the target on the backlog per instance graph', () => {
    const [[, dashboard]] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
    expect(JSON.stringify(dashboard.Properties.DashboardBody)).toContain(
      '{\\"value\\":40,\\"label\\":\\"target\\"',
    );
  });
});

describe('WorkerFleetStack in prod', () => {
  const { template } = workerFleet({ stage: 'prod' });

  test('up to 10 workers; queues, key and logs are retained, and PurgeQueue is denied', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MaxSize: '10' });
    for (const type of ['AWS::SQS::Queue', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [, resource] of resourcesOfType(template, type))
        expect(resource.DeletionPolicy).toBe('Retain');
    }
    for (const [, policy] of resourcesOfType(template, 'AWS::SQS::QueuePolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"Action":"sqs:PurgeQueue"');
    }
  });
});
