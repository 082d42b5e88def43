import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Problems } from '../validation';
import { acknowledgeNagRule } from './nag-acknowledgment';

/** Properties of a {@link PrivateWorkerVpc}. */
export interface PrivateWorkerVpcProps {
  /** Availability zones to spread the subnets over (1–3). @default 2 */
  readonly maxAzs?: number;
  /** The VPC's address range. @default '10.40.0.0/22' */
  readonly cidr?: string;
  /** How long the flow log of rejected traffic is kept. @default RetentionDays.ONE_WEEK */
  readonly flowLogRetention?: logs.RetentionDays;
  /** What happens to the flow log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Limits of a {@link PrivateWorkerVpc}. */
export const PRIVATE_WORKER_VPC_LIMITS = { maxAzs: { min: 1, max: 3, unit: 'availability zones' } } as const;

/**
 * A small VPC for queue workers with no way in or out of the internet: private subnets only (no internet or
 * NAT gateway), an S3 gateway endpoint (the worker's code and the Amazon Linux package repositories), an SQS
 * interface endpoint with private DNS (so the SDK's default endpoint resolves inside the VPC), and a flow log of
 * rejected traffic.
 */
export class PrivateWorkerVpc extends Construct {
  readonly vpc: ec2.Vpc;
  /** The subnets the workers run in. */
  readonly workerSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  constructor(scope: Construct, id: string, props: PrivateWorkerVpcProps = {}) {
    super(scope, id);
    validatePrivateWorkerVpcProps(props).throwIfAny(`PrivateWorkerVpc '${this.node.path}'`);

    const cidr = props.cidr ?? '10.40.0.0/22';
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs: props.maxAzs ?? 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'workers', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing uses the default security group: strip its rules (a custom resource) so nothing ever can.
      restrictDefaultSecurityGroup: true,
    });
    this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.workerSubnets],
    });
    // HTTPS from inside the VPC only, named by its literal range (CDK's default rule refers to it by GetAtt).
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'SqsEndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'SQS interface endpoint: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    this.vpc.addInterfaceEndpoint('Sqs', {
      service: ec2.InterfaceVpcEndpointAwsService.SQS,
      privateDnsEnabled: true,
      subnets: this.workerSubnets,
      securityGroups: [endpointSecurityGroup],
      open: false,
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_WEEK,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const flowLog = this.vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    acknowledgeNagRule(
      flowLogGroup,
      'CloudWatchLogGroupEncrypted',
      'CloudWatch Logs encrypts this log group at rest with its own keys; it holds records of rejected traffic (addresses, ports), and who may read them is decided by logs:GetLogEvents on this group, which a customer-managed key would only repeat',
    );
    if (flowLog.iamRole) {
      acknowledgeNagRule(
        flowLog.iamRole.node.findChild('DefaultPolicy'),
        'IAMNoInlinePolicy',
        "CDK writes the flow log role's grants into one AWS::IAM::Policy attached to this role alone: create streams in and put events to the one flow log group; a customer-managed policy would hold the same statements and be attached to nothing else",
      );
    }
  }
}

/** Checks the props and returns every problem found. */
export function validatePrivateWorkerVpcProps(props: PrivateWorkerVpcProps): Problems {
  const problems = new Problems();
  const l = PRIVATE_WORKER_VPC_LIMITS;
  problems.range('maxAzs', props.maxAzs, l.maxAzs);
  if (props.cidr !== undefined) {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(props.cidr);
    const octetsOk = match?.slice(1, 5).every((o) => Number(o) <= 255) ?? false;
    const prefix = match ? Number(match[5]) : NaN;
    // AWS: a VPC is /16 to /28; each subnet here is a /24, so the VPC needs room for one per zone.
    const room = 2 ** (24 - prefix);
    problems.check(
      !octetsOk || !(prefix >= 16 && prefix <= 24) || room < (props.maxAzs ?? 2),
      () =>
        `cidr must be an IPv4 range from /16 to /24 with room for one /24 subnet per availability zone, but '${props.cidr}' was provided`,
    );
  }
  return problems;
}
