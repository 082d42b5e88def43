import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { QueueWithDeadLetter } from '../../lib/constructs/queue-with-dead-letter';
import { QueueWorkerFleet, type QueueWorkerFleetProps } from '../../lib/constructs/queue-worker-fleet';
import { LOCAL_INSTANCE_METADATA } from '../../lib/local-instance-metadata';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

const ENTRY = `${__dirname}/../../lambda/worker/index.ts`;

function fleetStack(props: Partial<QueueWorkerFleetProps> = {}, visibilityTimeout = Duration.seconds(60)) {
  const stack = new Stack(testApp(), 'TestStack');
  const source = new QueueWithDeadLetter(stack, 'Jobs', { visibilityTimeout });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const fleet = new QueueWorkerFleet(stack, 'Fleet', {
    source,
    vpc,
    workerEntry: ENTRY,
    maxCapacity: 4,
    ...props,
  });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, source, fleet, id, template: Template.fromStack(stack) };
}

function userDataOf(template: Template): string {
  const [[, launchTemplate]] = resourcesOfType(template, 'AWS::EC2::LaunchTemplate');
  const parts = launchTemplate.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1];
  return parts.map((p: unknown) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
}

describe('QueueWorkerFleet', () => {
  test('launch template: Amazon Linux 2023 on Graviton, IMDSv2 only, encrypted gp3 root volume, no key pair', () => {
    const { template } = fleetStack();

    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 't4g.small',
        ImageId: { Ref: Match.stringLikeRegexp('al2023amikernel.*arm64') },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 8, DeleteOnTermination: true },
          },
        ],
      }),
    });
    const [[, launchTemplate]] = resourcesOfType(template, 'AWS::EC2::LaunchTemplate');
    expect(launchTemplate.Properties.LaunchTemplateData.KeyName).toBeUndefined();
  });

  test('no inbound rule, outbound HTTPS only', () => {
    const { template, fleet, id } = fleetStack();

    const group = template.toJSON().Resources[id(fleet.securityGroup)].Properties;
    expect(group.SecurityGroupIngress).toBeUndefined();
    expect(group.SecurityGroupEgress).toEqual([
      {
        CidrIp: '0.0.0.0/0',
        Description: 'HTTPS to AWS endpoints',
        FromPort: 443,
        IpProtocol: 'tcp',
        ToPort: 443,
      },
    ]);
  });

  test('the instance role may consume its queue and read the worker object, nothing else', () => {
    const { template, fleet, source, id } = fleetStack();

    const policies = resourcesOfType(template, 'AWS::IAM::Policy').filter(
      ([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: id(fleet.role) }]),
    );
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [id(source.queue), 'Arn'] },
      },
      {
        Sid: 'ReadWorkerCode',
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':s3:::',
              { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
              `/${fleet.workerCode.s3ObjectKey}`,
            ],
          ],
        },
      },
    ]);
    expect(template.toJSON().Resources[id(fleet.role)].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('user data installs Node.js 24, fetches the worker and runs it as a service stopped by SIGTERM', () => {
    const { template, fleet } = fleetStack({ stopGrace: Duration.seconds(40) });

    const script = userDataOf(template);
    expect(script).toContain('dnf install -y nodejs24');
    expect(script).toContain(`/${fleet.workerCode.s3ObjectKey}' '/opt/queue-worker/worker.zip'`);
    expect(script).toContain('ExecStart=/usr/bin/node-24 --enable-source-maps /opt/queue-worker/index.js');
    expect(script).toContain('Environment=VISIBILITY_TIMEOUT_SECONDS=60');
    expect(script).toContain('Environment=STOP_GRACE_SECONDS=40');
    expect(script).toContain('KillSignal=SIGTERM');
    expect(script).toContain('TimeoutStopSec=55');
    expect(script).toContain('systemctl enable --now queue-worker');
  });

  test('the group: 1 to max instances, warm-up, cooldown, group metrics, every launch and termination notified', () => {
    const { template, fleet, id } = fleetStack();

    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '4',
      Cooldown: '120',
      DefaultInstanceWarmup: 90,
      MetricsCollection: [
        {
          Granularity: '1Minute',
          Metrics: Match.arrayWith(['GroupDesiredCapacity', 'GroupInServiceInstances']),
        },
      ],
      NotificationConfigurations: [
        {
          TopicARN: { Ref: id(fleet.notificationTopic as never) },
          NotificationTypes: [
            'autoscaling:EC2_INSTANCE_LAUNCH',
            'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
            'autoscaling:EC2_INSTANCE_TERMINATE',
            'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
          ],
        },
      ],
    });
  });

  test("the notification topic's key lets Auto Scaling's service-linked role publish, by condition", () => {
    const { template } = fleetStack();

    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowAutoScalingToPublishEncrypted',
            Principal: { AWS: '*' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': Match.anyValue() },
              StringEquals: { 'kms:ViaService': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  test('tells local mode what each instance runs: the asset, its command and environment', () => {
    const { template, fleet, source, id } = fleetStack();

    const group = template.toJSON().Resources[id(fleet.autoScalingGroup)];
    expect(group.Metadata[LOCAL_INSTANCE_METADATA]).toEqual({
      assetObjectKey: fleet.workerCode.s3ObjectKey,
      command: ['--enable-source-maps', 'index.js'],
      environment: {
        QUEUE_URL: { Ref: id(source.queue) },
        AWS_REGION: { Ref: 'AWS::Region' },
        VISIBILITY_TIMEOUT_SECONDS: '60',
        WORKER_CONCURRENCY: '1',
        STOP_GRACE_SECONDS: '30',
      },
    });
  });

  test('backlog per instance is metric math over the queue and the group', () => {
    const { fleet, stack } = fleetStack();

    const config = fleet.metricBacklogPerInstance().toMetricConfig().mathExpression;
    expect(config?.expression).toBe('backlog / instances');
    expect(stack.resolve(config?.usingMetrics.instances.toMetricConfig().metricStat?.metricName)).toBe(
      'GroupInServiceInstances',
    );
  });

  test('reports every invalid prop at once', () => {
    const build = () =>
      fleetStack(
        {
          minCapacity: 5,
          maxCapacity: 4,
          rootVolumeGiB: 4,
          workerConcurrency: 11,
          stopGrace: Duration.minutes(20),
          cooldown: Duration.seconds(10),
        },
        Duration.seconds(5),
      );

    expect(build).toThrow(ValidationError);
    expect(build).toThrow(
      [
        "QueueWorkerFleet 'TestStack/Fleet' is invalid (6 problems):",
        '  - minCapacity (5) cannot be above maxCapacity (4)',
        '  - rootVolumeGiB must be a whole number from 8 to 64 GiB, but 4 was provided',
        '  - workerConcurrency must be a whole number from 1 to 10 jobs, but 11 was provided',
        '  - stopGrace must be a whole number from 0 to 600 seconds, but 1200 was provided',
        '  - cooldown must be a whole number from 60 to 3,600 seconds, but 10 was provided',
        "  - the queue's visibility timeout (5 seconds) must be at least 10 seconds: workers renew it every half timeout while a job runs",
      ].join('\n'),
    );
  });
});
