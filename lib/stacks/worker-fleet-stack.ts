import { Annotations, Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { BacklogStepScaling, BacklogTargetTracking } from '../constructs/backlog-scaling';
import { PrivateWorkerVpc } from '../constructs/private-worker-vpc';
import { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter';
import { QueueWorkerFleet } from '../constructs/queue-worker-fleet';
import { lambdaEntry, stageQueueProps } from './shared-props';

/** Properties of the {@link WorkerFleetStack}. */
export interface WorkerFleetStackProps extends StackProps {
  /** The stage's removal policy, retention rules and worker fleet settings. */
  readonly config: StageConfig;
}

/** Visibility timeout of the jobs queue: a worker renews it every 30 s while a job runs. */
const JOB_VISIBILITY_TIMEOUT = Duration.minutes(1);

/**
 * The "1,000 videos to encode when it is usually 10" chapter: a jobs queue (with its dead-letter queue) drained
 * by an Auto Scaling group of EC2 workers in private subnets, scaled on the backlog by step scaling or by target
 * tracking on backlog per instance (config `workerScaling`), with launch and termination notifications and a
 * dashboard of backlog, instances and backlog per instance.
 */
export class WorkerFleetStack extends Stack {
  readonly jobs: QueueWithDeadLetter;
  readonly fleet: QueueWorkerFleet;
  /** The new VPC, unless the config names an existing one. */
  readonly network?: PrivateWorkerVpc;
  /** Set when `workerScaling` is `step`. */
  readonly stepScaling?: BacklogStepScaling;
  /** Set when `workerScaling` is `target-tracking`. */
  readonly targetTracking?: BacklogTargetTracking;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: WorkerFleetStackProps) {
    super(scope, id, props);
    const { config } = props;
    const settings = config.workerFleet;

    this.jobs = new QueueWithDeadLetter(this, 'JobsQueue', {
      ...stageQueueProps(config),
      visibilityTimeout: JOB_VISIBILITY_TIMEOUT,
      maxReceiveCount: 3,
    });

    let vpc: ec2.IVpc;
    let vpcSubnets: ec2.SubnetSelection;
    if (settings.vpc) {
      vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: settings.vpc.vpcId,
        availabilityZones: Stack.of(this).availabilityZones,
      });
      vpcSubnets = {
        subnets: settings.vpc.subnetIds.map((subnetId, i) => {
          const subnet = ec2.Subnet.fromSubnetId(this, `WorkerSubnet${i + 1}`, subnetId);
          Annotations.of(subnet).acknowledgeWarning(
            '@aws-cdk/aws-ec2:noSubnetRouteTableId',
            'The workers only launch into this subnet; nothing here reads or changes its route table',
          );
          return subnet;
        }),
      };
    } else {
      this.network = new PrivateWorkerVpc(this, 'Network', {
        flowLogRetention: config.logRetention,
        removalPolicy: config.removalPolicy,
      });
      vpc = this.network.vpc;
      vpcSubnets = this.network.workerSubnets;
    }

    this.fleet = new QueueWorkerFleet(this, 'Workers', {
      source: this.jobs,
      workerEntry: lambdaEntry('worker'),
      vpc,
      vpcSubnets,
      minCapacity: 1,
      maxCapacity: settings.maxInstances,
      removalPolicy: config.removalPolicy,
    });

    if (settings.scaling === 'step') {
      this.stepScaling = new BacklogStepScaling(this, 'StepScaling', { fleet: this.fleet });
    } else {
      this.targetTracking = new BacklogTargetTracking(this, 'TargetTracking', {
        fleet: this.fleet,
        acceptableLatency: settings.acceptableLatency,
        timePerJob: settings.timePerJob,
      });
    }

    this.dashboard = this.addDashboard();
    this.addOutputs();
  }

  private addDashboard(): cloudwatch.Dashboard {
    const period = Duration.minutes(1);
    const queue = this.jobs.queue;
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Backlog: jobs waiting and in progress',
        left: [
          this.fleet.metricBacklog({ label: 'waiting', statistic: cloudwatch.Stats.MAXIMUM }),
          queue.metricApproximateNumberOfMessagesNotVisible({ period, label: 'in progress' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Instances: desired and in service',
        left: [
          this.fleet.metricDesiredCapacity({ label: 'desired' }),
          this.fleet.metricInServiceInstances({ label: 'in service' }),
        ],
        leftYAxis: { min: 0, max: this.fleet.maxCapacity + 1, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'Backlog per instance',
        left: [this.fleet.metricBacklogPerInstance()],
        leftAnnotations: this.targetTracking
          ? [{ value: this.targetTracking.targetBacklogPerInstance, label: 'target' }]
          : undefined,
      }),
    ];
    const bottom: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: [
          this.jobs.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
        ],
      }),
    ];
    if (this.stepScaling) {
      bottom.push(
        new cloudwatch.AlarmStatusWidget({
          title: 'Scaling alarms',
          alarms: [this.stepScaling.scaleOutAlarm, this.stepScaling.scaleInAlarm],
        }),
      );
    }
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-${Aws.REGION}`,
      defaultInterval: Duration.hours(3),
      widgets: [widgets, bottom],
    });
  }

  private addOutputs(): void {
    const outputs: Record<string, [string, string]> = {
      JobsQueueUrl: [
        this.jobs.queue.queueUrl,
        'Jobs queue the workers drain: send {"jobId": "...", "seconds": N}',
      ],
      DeadLetterQueueUrl: [this.jobs.deadLetterQueue.queueUrl, 'Jobs that failed 3 times'],
      AutoScalingGroupName: [
        this.fleet.autoScalingGroup.autoScalingGroupName,
        'Auto Scaling group of the workers',
      ],
      NotificationTopicArn: [this.fleet.notificationTopic.topicArn, 'Launch and termination notifications'],
      ScalingMode: [
        this.stepScaling ? 'step' : 'target-tracking',
        'How the fleet scales (context key workerScaling)',
      ],
    };
    for (const [id, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, id, { value, description });
  }
}
