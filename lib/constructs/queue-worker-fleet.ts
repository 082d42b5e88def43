import * as path from 'node:path';
import { Aws, AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { buildSync } from 'esbuild';
import {
  copyHandlerBundle,
  HANDLER_BUNDLING,
  handlerBundle,
  projectRootOf,
} from '../build-cache/handler-bundle';
import { LOCAL_INSTANCE_METADATA, type LocalInstanceMetadata } from '../local-instance-metadata';
import { Problems } from '../validation';
import { acknowledgeNagRule } from './nag-acknowledgment';
import type { IQueueWithDeadLetter } from './queue-with-dead-letter';

/** A fleet of queue workers: what the scaling constructs need of it. {@link QueueWorkerFleet} implements it. */
export interface IQueueWorkerFleet extends IConstruct {
  /** The workers' Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The jobs queue the workers drain. */
  readonly source: IQueueWithDeadLetter;
  /** Messages waiting in the jobs queue. */
  metricBacklog(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/** Properties of a {@link QueueWorkerFleet}. */
export interface QueueWorkerFleetProps {
  /** The jobs queue the workers drain; each heartbeat renews its visibility timeout (at least 10 s). */
  readonly source: IQueueWithDeadLetter;
  /** The worker's TypeScript entry point, bundled with its dependencies (AWS SDK included) into one file. */
  readonly workerEntry: string;
  /** The VPC the instances run in. */
  readonly vpc: ec2.IVpc;
  /** The private subnets of `vpc` to launch into. @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Fewest instances (0–100). @default 1 */
  readonly minCapacity?: number;
  /** Most instances (1–100, not below minCapacity). */
  readonly maxCapacity: number;
  /** Instance type; Graviton (ARM64) types run the ARM64 Amazon Linux image. @default t4g.small */
  readonly instanceType?: ec2.InstanceType;
  /** Size of the encrypted root volume in GiB (8–64). @default 8 */
  readonly rootVolumeGiB?: number;
  /** Jobs each worker processes at once (1–10). @default 1 */
  readonly workerConcurrency?: number;
  /** On termination, how long jobs in flight may finish before they are released (0–600 s). @default 30 seconds */
  readonly stopGrace?: Duration;
  /** How long a new instance takes before it counts in the group's metrics and can be scaled in (0–3,600 s). @default 90 seconds */
  readonly instanceWarmup?: Duration;
  /** Cooldown after a simple scaling activity (60–3,600 s). @default 2 minutes */
  readonly cooldown?: Duration;
  /** Where launch and termination notifications (and their errors) go. @default a new encrypted topic */
  readonly notificationTopic?: sns.ITopic;
  /** What happens to a created notification key when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Limits of a {@link QueueWorkerFleet}: AWS's, or this construct's where it is stricter. */
export const QUEUE_WORKER_FLEET_LIMITS = {
  capacity: { min: 0, max: 100, unit: 'instances' },
  rootVolumeGiB: { min: 8, max: 64, unit: 'GiB' },
  workerConcurrency: { min: 1, max: 10, unit: 'jobs' },
  stopGraceSeconds: { min: 0, max: 600 },
  instanceWarmupSeconds: { min: 0, max: 3_600 },
  cooldownSeconds: { min: 60, max: 3_600 },
  /** The heartbeat renews visibility every half timeout: shorter timeouts leave it no time to reach SQS. */
  minVisibilityTimeoutSeconds: 10,
} as const;

/** Where the worker lives on an instance, and the service that runs it. */
export const WORKER_INSTANCE_LAYOUT = {
  directory: '/opt/queue-worker',
  service: 'queue-worker',
  /** Amazon Linux 2023 installs Node.js 24 as the namespaced `node-24` executable. */
  nodePackage: 'nodejs24',
  node: '/usr/bin/node-24',
} as const;

/**
 * An Auto Scaling group of EC2 queue workers: a launch template (Amazon Linux 2023, encrypted gp3 root volume,
 * IMDSv2 only, no key pair, no inbound rule), an instance role that may only consume its queue and read the
 * worker's code, user data that installs Node.js, downloads the bundled worker and runs it as a systemd service
 * (stopped with SIGTERM on termination, given `stopGrace` to finish), group metrics, and notifications of every
 * launch and termination and their errors.
 */
export class QueueWorkerFleet extends Construct implements IQueueWorkerFleet {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly launchTemplate: ec2.LaunchTemplate;
  readonly role: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;
  readonly notificationTopic: sns.ITopic;
  /** The bundled worker (index.js) in the CDK asset bucket. */
  readonly workerCode: s3assets.Asset;
  /** The environment the worker process gets. */
  readonly workerEnvironment: Readonly<Record<string, string>>;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** The jobs queue. */
  readonly source: IQueueWithDeadLetter;

  constructor(scope: Construct, id: string, props: QueueWorkerFleetProps) {
    super(scope, id);
    validateQueueWorkerFleetProps(props).throwIfAny(`QueueWorkerFleet '${this.node.path}'`);
    this.source = props.source;
    this.minCapacity = props.minCapacity ?? 1;
    this.maxCapacity = props.maxCapacity;
    const stopGrace = props.stopGrace ?? Duration.seconds(30);

    this.workerCode = new s3assets.Asset(this, 'WorkerCode', {
      path: path.dirname(props.workerEntry),
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Bundled on this machine with esbuild (a dev dependency, as for the Lambda functions); never in Docker.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
        local: { tryBundle: (outputDir) => bundleWorker(props.workerEntry, outputDir) },
      },
    });

    this.role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instance role of the queue workers of ${this.node.path}: consume one queue, read the worker code`,
    });
    props.source.queue.grantConsumeMessages(this.role);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWorkerCode',
        actions: ['s3:GetObject'],
        resources: [
          Stack.of(this).formatArn({
            service: 's3',
            region: '',
            account: '',
            resource: this.workerCode.s3BucketName,
            resourceName: this.workerCode.s3ObjectKey,
          }),
        ],
      }),
    );

    acknowledgeNagRule(
      this.role.node.findChild('DefaultPolicy'),
      'IAMNoInlinePolicy',
      "CDK writes the instance role's grants into one AWS::IAM::Policy attached to this role alone: consume the one jobs queue and read the one worker object; a customer-managed policy would hold the same statements and be attached to nothing else",
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Queue workers: no inbound traffic; outbound HTTPS only (SQS, S3, package repositories)',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS endpoints');

    this.workerEnvironment = {
      QUEUE_URL: props.source.queue.queueUrl,
      AWS_REGION: Aws.REGION,
      VISIBILITY_TIMEOUT_SECONDS: String(props.source.visibilityTimeout.toSeconds()),
      WORKER_CONCURRENCY: String(props.workerConcurrency ?? 1),
      STOP_GRACE_SECONDS: String(stopGrace.toSeconds()),
    };
    const instanceType = props.instanceType ?? new ec2.InstanceType('t4g.small');
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType,
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType:
          instanceType.architecture === ec2.InstanceArchitecture.ARM_64
            ? ec2.AmazonLinuxCpuType.ARM_64
            : ec2.AmazonLinuxCpuType.X86_64,
      }),
      role: this.role,
      securityGroup: this.securityGroup,
      userData: this.userData(stopGrace),
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 8, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    this.notificationTopic = props.notificationTopic ?? this.createNotificationTopic(props.removalPolicy);
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      launchTemplate: this.launchTemplate,
      minCapacity: this.minCapacity,
      maxCapacity: this.maxCapacity,
      cooldown: props.cooldown ?? Duration.minutes(2),
      defaultInstanceWarmup: props.instanceWarmup ?? Duration.seconds(90),
      groupMetrics: [
        new autoscaling.GroupMetrics(
          autoscaling.GroupMetric.DESIRED_CAPACITY,
          autoscaling.GroupMetric.IN_SERVICE_INSTANCES,
          autoscaling.GroupMetric.PENDING_INSTANCES,
          autoscaling.GroupMetric.TERMINATING_INSTANCES,
        ),
      ],
      notifications: [{ topic: this.notificationTopic, scalingEvents: autoscaling.ScalingEvents.ALL }],
      // New worker code reaches running instances: they are replaced one at a time, each stopped gracefully.
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate(),
    });
    const group = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    group.addMetadata(LOCAL_INSTANCE_METADATA, {
      assetObjectKey: this.workerCode.s3ObjectKey,
      command: ['--enable-source-maps', 'index.js'],
      environment: this.workerEnvironment,
    } satisfies LocalInstanceMetadata);
  }

  /** Messages waiting in the jobs queue (SQS publishes it once a minute). */
  metricBacklog(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.source.queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** Instances in service (a group metric, collected every minute). */
  metricInServiceInstances(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.groupMetric('GroupInServiceInstances', props);
  }

  /** The group's desired capacity. */
  metricDesiredCapacity(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.groupMetric('GroupDesiredCapacity', props);
  }

  /** AWS's metric for queue workers: messages waiting ÷ instances in service, by metric math. */
  metricBacklogPerInstance(props: { readonly label?: string } = {}): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'backlog / instances',
      usingMetrics: { backlog: this.metricBacklog(), instances: this.metricInServiceInstances() },
      label: props.label ?? 'backlog per instance',
      period: Duration.minutes(1),
    });
  }

  private groupMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling',
      metricName,
      dimensionsMap: { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName },
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.AVERAGE,
      ...props,
    });
  }

  /** Installs Node.js, fetches the worker and runs it under systemd, which sends SIGTERM at shutdown. */
  private userData(stopGrace: Duration): ec2.UserData {
    const l = WORKER_INSTANCE_LAYOUT;
    const userData = ec2.UserData.forLinux();
    userData.addCommands('set -euo pipefail', `dnf install -y ${l.nodePackage}`, `mkdir -p ${l.directory}`);
    const archive = userData.addS3DownloadCommand({
      bucket: this.workerCode.bucket,
      bucketKey: this.workerCode.s3ObjectKey,
      localFile: `${l.directory}/worker.zip`,
    });
    const environment = Object.entries(this.workerEnvironment).map(([k, v]) => `Environment=${k}=${v}`);
    userData.addCommands(
      `python3 -m zipfile -e ${archive} ${l.directory} && rm ${archive}`,
      `useradd --system --no-create-home --shell /sbin/nologin ${l.service}`,
      `cat > /etc/systemd/system/${l.service}.service <<'UNIT'`,
      '[Unit]',
      'Description=Queue worker',
      'After=network-online.target',
      'Wants=network-online.target',
      '[Service]',
      `User=${l.service}`,
      ...environment,
      `ExecStart=${l.node} --enable-source-maps ${l.directory}/index.js`,
      'Restart=always',
      'RestartSec=5',
      'KillSignal=SIGTERM',
      // systemd waits this long after SIGTERM before SIGKILL: the grace period plus time to release messages.
      `TimeoutStopSec=${stopGrace.toSeconds() + 15}`,
      '[Install]',
      'WantedBy=multi-user.target',
      'UNIT',
      'systemctl daemon-reload',
      `systemctl enable --now ${l.service}`,
    );
    return userData;
  }

  /**
   * An encrypted topic that Auto Scaling can publish to: it publishes with its service-linked role, which may not
   * exist before the first group does, so the key names it by condition rather than as a principal.
   */
  private createNotificationTopic(removalPolicy = RemovalPolicy.RETAIN): sns.Topic {
    const key = new kms.Key(this, 'NotificationKey', {
      description: `Encrypts the Auto Scaling notifications of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAutoScalingToPublishEncrypted',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
          },
          StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` },
        },
      }),
    );
    return new sns.Topic(this, 'NotificationTopic', { masterKey: key, enforceSSL: true });
  }
}

/**
 * Bundles the worker into `outputDir/index.js` (+ source map) as every handler is bundled, through the checkout's
 * bundle cache (lib/build-cache) when the entry is in a project; directly with esbuild otherwise.
 */
function bundleWorker(entry: string, outputDir: string): boolean {
  const projectRoot = projectRootOf(entry);
  if (projectRoot !== undefined) {
    copyHandlerBundle(handlerBundle({ entry, projectRoot, ...HANDLER_BUNDLING }), outputDir);
    return true;
  }
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: HANDLER_BUNDLING.target,
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    outfile: path.join(outputDir, 'index.js'),
    logLevel: 'error',
  });
  return true;
}

/** Checks the props against AWS's limits and the queue, returning every problem found. */
export function validateQueueWorkerFleetProps(props: QueueWorkerFleetProps): Problems {
  const problems = new Problems();
  const l = QUEUE_WORKER_FLEET_LIMITS;
  problems.range('minCapacity', props.minCapacity, l.capacity);
  problems.range('maxCapacity', props.maxCapacity, { ...l.capacity, min: Math.max(1, l.capacity.min) });
  if (
    Number.isInteger(props.minCapacity ?? 1) &&
    Number.isInteger(props.maxCapacity) &&
    (props.minCapacity ?? 1) > props.maxCapacity
  ) {
    problems.add(
      `minCapacity (${props.minCapacity ?? 1}) cannot be above maxCapacity (${props.maxCapacity})`,
    );
  }
  problems.range('rootVolumeGiB', props.rootVolumeGiB, l.rootVolumeGiB);
  problems.range('workerConcurrency', props.workerConcurrency, l.workerConcurrency);
  problems.durationRange('stopGrace', props.stopGrace, l.stopGraceSeconds);
  problems.durationRange('instanceWarmup', props.instanceWarmup, l.instanceWarmupSeconds);
  problems.durationRange('cooldown', props.cooldown, l.cooldownSeconds);
  const visibility = props.source.visibilityTimeout;
  if (!visibility.isUnresolved()) {
    const seconds = visibility.toSeconds({ integral: false });
    problems.check(
      seconds < l.minVisibilityTimeoutSeconds,
      () =>
        `the queue's visibility timeout (${seconds} seconds) must be at least ${l.minVisibilityTimeoutSeconds} seconds: workers renew it every half timeout while a job runs`,
    );
  }
  return problems;
}
