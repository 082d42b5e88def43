import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PrivateWorkerVpc } from '../../lib/constructs/private-worker-vpc';
import { ValidationError } from '../../lib/validation';
import { resourcesOfType, testApp } from '../helpers/cdk';

describe('PrivateWorkerVpc', () => {
  const stack = new Stack(testApp(), 'TestStack');
  new PrivateWorkerVpc(stack, 'Network', {
    flowLogRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const template = Template.fromStack(stack);

  test('private subnets in 2 zones, and no way to the internet', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, subnet] of resourcesOfType(template, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('S3 through a gateway endpoint, SQS through an interface endpoint with private DNS, HTTPS from the VPC only', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.sqs']] },
      PrivateDnsEnabled: true,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'SQS interface endpoint: HTTPS from inside the VPC',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.40.0.0/22', FromPort: 443, ToPort: 443 })],
    });
  });

  test("strips the default security group's rules, so nothing can ever use it", () => {
    const [[vpcId]] = resourcesOfType(template, 'AWS::EC2::VPC');

    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] },
    });
  });

  test('logs rejected traffic to a log group with the given retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
  });

  test('reports every invalid prop at once', () => {
    const build = () =>
      new PrivateWorkerVpc(new Stack(testApp(), 'Other'), 'Network', { maxAzs: 4, cidr: '10.0.0.0/8' });

    expect(build).toThrow(ValidationError);
    expect(build).toThrow(
      [
        "PrivateWorkerVpc 'Other/Network' is invalid (2 problems):",
        '  - maxAzs must be a whole number from 1 to 3 availability zones, but 4 was provided',
        "  - cidr must be an IPv4 range from /16 to /24 with room for one /24 subnet per availability zone, but '10.0.0.0/8' was provided",
      ].join('\n'),
    );
  });
});
