import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  BacklogStepScaling,
  type BacklogStepScalingProps,
  BacklogTargetTracking,
  targetBacklogPerInstance,
} from '../../lib/constructs/backlog-scaling';
import { type IQueueWithDeadLetter, QueueWithDeadLetter } from '../../lib/constructs/queue-with-dead-letter';
import { type IQueueWorkerFleet, QueueWorkerFleet } from '../../lib/constructs/queue-worker-fleet';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

function fleetStack() {
  const stack = new Stack(testApp(), 'TestStack');
  const source = new QueueWithDeadLetter(stack, 'Jobs', { visibilityTimeout: Duration.seconds(60) });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const fleet = new QueueWorkerFleet(stack, 'Fleet', {
    source,
    vpc,
    workerEntry: `${__dirname}/../../lambda/worker/index.ts`,
    maxCapacity: 10,
  });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, source, fleet, id };
}

/** A group made outside this app that drains `source`, handed to the scaling constructs through the interface. */
class ExistingFleet extends Construct implements IQueueWorkerFleet {
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;

  constructor(
    scope: Construct,
    id: string,
    readonly source: IQueueWithDeadLetter,
  ) {
    super(scope, id);
    this.autoScalingGroup = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(this, 'Group', 'encoders');
  }

  metricBacklog(props: cloudwatch.MetricOptions = {}): cloudwatch.IMetric {
    return this.source.queue.metricApproximateNumberOfMessagesVisible(props);
  }
}

describe('any IQueueWorkerFleet', () => {
  test('an existing group is scaled by steps or by target tracking, on its queue', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const source = new QueueWithDeadLetter(stack, 'Jobs', { visibilityTimeout: Duration.seconds(60) });
    const fleet = new ExistingFleet(stack, 'Encoders', source);

    new BacklogStepScaling(stack, 'Steps', { fleet });
    new BacklogTargetTracking(stack, 'Tracking', {
      fleet,
      acceptableLatency: Duration.minutes(5),
      timePerJob: Duration.seconds(6),
    });
    const template = Template.fromStack(stack);

    const policies = resourcesOfType(template, 'AWS::AutoScaling::ScalingPolicy');
    expect(policies.map(([, p]) => p.Properties.AutoScalingGroupName)).toEqual([
      'encoders',
      'encoders',
      'encoders',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp("TestStack/Encoders's queue"),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
    });
  });
});

describe('BacklogStepScaling', () => {
  function stepScaling(props: Partial<BacklogStepScalingProps> = {}) {
    const built = fleetStack();
    const scaling = new BacklogStepScaling(built.stack, 'Scaling', { fleet: built.fleet, ...props });
    return { ...built, scaling, template: Template.fromStack(built.stack) };
  }

  test('scales out on 1 minute of backlog, in steps relative to the alarm threshold', () => {
    const { template, scaling, source, id } = stepScaling();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(source.queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: id(scaling.scaleOutPolicy) }],
    });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Maximum',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 90, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 90, MetricIntervalUpperBound: 490, ScalingAdjustment: 2 },
        { MetricIntervalLowerBound: 490, ScalingAdjustment: 4 },
      ],
    });
  });

  test('scales in one instance per minute after 5 quiet minutes, keeping its state when data is missing', () => {
    const { template, scaling, id } = stepScaling();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: id(scaling.scaleInPolicy) }],
    });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    });
  });

  test('custom steps and windows', () => {
    const { template } = stepScaling({
      scaleOutSteps: [
        { fromBacklog: 50, addInstances: 2 },
        { fromBacklog: 1000, addInstances: 5 },
      ],
      scaleOutMinutes: 2,
      scaleInBacklog: 5,
      scaleInMinutes: 10,
      removeInstances: 2,
    });

    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 950, ScalingAdjustment: 2 },
        { MetricIntervalLowerBound: 950, ScalingAdjustment: 5 },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 50, EvaluationPeriods: 2 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 5, EvaluationPeriods: 10 });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -2 }],
    });
  });

  test('reports every problem with the steps and windows at once', () => {
    const build = () =>
      stepScaling({
        scaleOutSteps: [
          { fromBacklog: 100, addInstances: 1 },
          { fromBacklog: 100, addInstances: 0 },
        ],
        scaleOutMinutes: 3,
        scaleInMinutes: 2,
        scaleInBacklog: 100,
      });

    expect(build).toThrow(ValidationError);
    expect(build).toThrow(
      [
        "BacklogStepScaling 'TestStack/Scaling' is invalid (4 problems):",
        '  - scaleInMinutes (2) must be at least scaleOutMinutes (3): scale in more slowly than out, since SQS metrics of an idle queue lag',
        '  - scaleOutSteps[1].addInstances must be a whole number from 1 to 100 instances, but 0 was provided',
        '  - scaleOutSteps must be in increasing fromBacklog order, but step 1 (100) does not exceed step 0 (100)',
        '  - scaleInBacklog (100) must be below the first scale-out step (100), or both alarms could be in ALARM at once',
      ].join('\n'),
    );
  });
});

describe('BacklogTargetTracking', () => {
  test("AWS's formula: the target is acceptable latency ÷ time per job", () => {
    expect(targetBacklogPerInstance(Duration.seconds(10), Duration.millis(100))).toBe(100);
    expect(targetBacklogPerInstance(Duration.minutes(5), Duration.seconds(6))).toBe(50);
    expect(targetBacklogPerInstance(Duration.seconds(100), Duration.seconds(3))).toBe(33.33);
  });

  test('tracks backlog ÷ instances in service with metric math, at the derived target', () => {
    const { stack, fleet, source, id } = fleetStack();
    const tracking = new BacklogTargetTracking(stack, 'Tracking', {
      fleet,
      acceptableLatency: Duration.minutes(5),
      timePerJob: Duration.seconds(6),
      estimatedInstanceWarmup: Duration.seconds(120),
    });
    const template = Template.fromStack(stack);

    expect(tracking.targetBacklogPerInstance).toBe(50);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: { Ref: id(fleet.autoScalingGroup) },
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 120,
      TargetTrackingConfiguration: {
        TargetValue: 50,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({
              Id: 'backlog',
              ReturnData: false,
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/SQS',
                  MetricName: 'ApproximateNumberOfMessagesVisible',
                  Dimensions: [
                    { Name: 'QueueName', Value: { 'Fn::GetAtt': [id(source.queue), 'QueueName'] } },
                  ],
                },
                Stat: 'Sum',
              },
            }),
            Match.objectLike({
              Id: 'instances',
              ReturnData: false,
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/AutoScaling',
                  MetricName: 'GroupInServiceInstances',
                  Dimensions: [{ Name: 'AutoScalingGroupName', Value: { Ref: id(fleet.autoScalingGroup) } }],
                },
                Stat: 'Average',
              },
            }),
            Match.objectLike({
              Id: 'backlogPerInstance',
              Expression: 'backlog / instances',
              ReturnData: true,
            }),
          ],
        },
      },
    });
    // Auto Scaling creates and owns the alarms of a target tracking policy: none in the template.
    expect(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  test('rejects a latency shorter than one job, and a warm-up beyond an hour', () => {
    const { stack, fleet } = fleetStack();
    const build = () =>
      new BacklogTargetTracking(stack, 'Tracking', {
        fleet,
        acceptableLatency: Duration.seconds(5),
        timePerJob: Duration.seconds(10),
        estimatedInstanceWarmup: Duration.hours(2),
      });

    expect(build).toThrow(
      [
        "BacklogTargetTracking 'TestStack/Tracking' is invalid (2 problems):",
        '  - acceptableLatency ÷ timePerJob must be from 1 to 1,000,000 jobs per instance, but it is 0.5',
        '  - estimatedInstanceWarmup must be a whole number from 0 to 3,600 seconds, but 7200 was provided',
      ].join('\n'),
    );
  });
});
