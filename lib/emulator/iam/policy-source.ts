/**
 * Where the policies are: identity policies from the deployed templates (a role's inline policies,
 * AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources naming the role, the AWS managed policies CDK
 * attaches), resource policies from the services that hold them (queue, topic, bucket and function policies)
 * and key policies from the deployed AWS::KMS::Key resources.
 */
import type { Emulator } from '../emulator';
import { AwsError } from '../errors';
import { type NamedPolicy, parsePolicy } from './policy';

/** The AWS managed policies CDK attaches, as AWS defines them (others are named in the explanation, not read). */
const AWS_MANAGED_POLICIES: Readonly<Record<string, unknown>> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
  'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole': {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ],
        Resource: '*',
      },
    ],
  },
  'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy': {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'cloudwatch:PutMetricData',
          'ec2:DescribeVolumes',
          'ec2:DescribeTags',
          'logs:PutLogEvents',
          'logs:PutRetentionPolicy',
          'logs:DescribeLogStreams',
          'logs:DescribeLogGroups',
          'logs:CreateLogStream',
          'logs:CreateLogGroup',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: 'arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*',
      },
    ],
  },
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore': {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:GetParameter',
          'ssm:GetParameters',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
          'ssmmessages:*',
          'ec2messages:*',
        ],
        Resource: '*',
      },
    ],
  },
};

/** An IAM or KMS resource as deployed: what the checks read. */
export interface DeployedRecord {
  readonly type: string;
  readonly ref: string;
  readonly logicalId: string;
  readonly stackName: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** What the deployed stacks say about IAM and KMS, indexed once per deployment. */
interface PolicyIndex {
  /** Role ARN → its identity policies. */
  readonly roles: ReadonlyMap<string, readonly NamedPolicy[]>;
  /** Key id, key ARN and alias name → the key's ARN and policy. */
  readonly keys: ReadonlyMap<string, { readonly arn: string; readonly policy: NamedPolicy }>;
  /** Instance profile name or ARN → the role ARN it carries. */
  readonly instanceProfiles: ReadonlyMap<string, string>;
  /** Launch template id → the role ARN of its instance profile. */
  readonly launchTemplates: ReadonlyMap<string, string>;
  /** Function name → the statements of its AWS::Lambda::Permission resources. */
  readonly functionPermissions: ReadonlyMap<string, readonly unknown[]>;
}

export class PolicySource {
  private index?: PolicyIndex;
  /** The stack states the index was built from: a deployment replaces them. */
  private indexedStates: readonly unknown[] = [];
  private readonly parsed = new Map<string, NamedPolicy>();
  /** IAM and KMS resources as their handlers created them, before (and after) their stack's deployment ends. */
  private readonly registered = new Map<string, DeployedRecord>();
  private indexedRegistrations = -1;
  private registrations = 0;

  constructor(private readonly emulator: () => Emulator) {}

  /** Records an IAM or KMS resource as its handler created or updated it. */
  register(record: DeployedRecord): void {
    this.registered.set(`${record.stackName}/${record.logicalId}`, record);
    this.registrations++;
  }

  /** Forgets a deleted IAM or KMS resource. */
  unregister(stackName: string, logicalId: string): void {
    if (this.registered.delete(`${stackName}/${logicalId}`)) this.registrations++;
  }

  /** The identity policies of a role; undefined for a role no deployed stack defines. */
  identityPolicies(roleArn: string): readonly NamedPolicy[] | undefined {
    return this.current().roles.get(roleArn);
  }

  /** A KMS key by id, ARN, alias name or alias ARN, as the stacks deployed it. */
  key(reference: string): { readonly arn: string; readonly policy: NamedPolicy } | undefined {
    const keys = this.current().keys;
    const aliasArn = reference.indexOf(':alias/');
    return keys.get(aliasArn >= 0 ? reference.slice(aliasArn + 1) : reference);
  }

  /** The role an instance launched from a launch template (by id) runs as: its instance profile's. */
  roleOfLaunchTemplate(launchTemplateId: string): string | undefined {
    return this.current().launchTemplates.get(launchTemplateId);
  }

  /** The resource policy of a queue, topic, bucket or function ARN, if it has one. */
  resourcePolicy(resourceArn: string): NamedPolicy | undefined {
    const emulator = this.emulator();
    const [, , service, , , ...rest] = resourceArn.split(':');
    let text: string | undefined;
    let source = '';
    if (service === 'sqs') {
      text = emulator.sqs.queueByArn(resourceArn)?.settings.extra.get('Policy');
      source = `queue policy of ${rest.join(':')}`;
    } else if (service === 'sns') {
      text = emulator.sns.topicState(resourceArn)?.topic.attributes.get('Policy');
      source = `topic policy of ${rest.join(':')}`;
    } else if (service === 's3') {
      const bucket = rest.join(':').split('/', 1)[0];
      text = emulator.s3.bucketState(bucket)?.policy;
      source = `bucket policy of ${bucket}`;
    } else if (service === 'lambda') {
      const statements: unknown[] = [...(this.current().functionPermissions.get(rest[1] ?? '') ?? [])];
      try {
        statements.push(
          ...(JSON.parse(emulator.lambda.getPolicy(resourceArn).policy) as { Statement: unknown[] })
            .Statement,
        );
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
      }
      source = `resource policy of function ${rest[1] ?? ''}`;
      text = statements.length === 0 ? undefined : JSON.stringify({ Statement: statements });
    }
    return text === undefined || text === '' ? undefined : this.parse(source, text);
  }

  private parse(source: string, document: unknown): NamedPolicy {
    const text = typeof document === 'string' ? document : JSON.stringify(document);
    const key = `${source}\0${text}`;
    let policy = this.parsed.get(key);
    if (policy === undefined) {
      try {
        policy = parsePolicy(source, text);
      } catch (error) {
        // a document AWS would have refused at deploy time: nothing in it allows
        policy = { source: `${source} (unreadable: ${(error as Error).message})`, statements: [] };
      }
      // bounded: policies change only with deployments and policy updates
      if (this.parsed.size >= 2_000) this.parsed.clear();
      this.parsed.set(key, policy);
    }
    return policy;
  }

  /** The index of the stacks as deployed now, rebuilt when a deployment changed any. */
  private current(): PolicyIndex {
    const stacks = this.emulator()
      .cloudformation.stackList()
      .filter((s) => !s.deleted && s.state);
    const states = stacks.map((s) => s.state);
    if (
      this.index === undefined ||
      this.indexedRegistrations !== this.registrations ||
      states.length !== this.indexedStates.length ||
      states.some((s, i) => s !== this.indexedStates[i])
    ) {
      // the stacks as restored or deployed, then what handlers created since (the same resource: the newer)
      const records = new Map<string, DeployedRecord>();
      for (const stack of stacks) {
        for (const r of stack.state?.resources.values() ?? []) {
          if (r.status !== 'skipped') records.set(`${r.stackName}/${r.logicalId}`, r);
        }
      }
      for (const [key, r] of this.registered) records.set(key, r);
      this.index = this.build([...records.values()]);
      this.indexedStates = states;
      this.indexedRegistrations = this.registrations;
    }
    return this.index;
  }

  private build(records: readonly DeployedRecord[]): PolicyIndex {
    const roleArnByName = new Map<string, string>();
    const roles = new Map<string, NamedPolicy[]>();
    const managed = new Map<string, NamedPolicy>();
    for (const r of records) {
      if (r.type === 'AWS::IAM::ManagedPolicy') {
        managed.set(
          String(r.attributes.PolicyArn ?? r.ref),
          this.parse(`managed policy ${r.logicalId}`, r.properties.PolicyDocument),
        );
      }
    }
    for (const r of records) {
      if (r.type !== 'AWS::IAM::Role') continue;
      const arn = String(r.attributes.Arn);
      roleArnByName.set(r.ref, arn);
      const policies: NamedPolicy[] = [];
      for (const inline of (r.properties.Policies ?? []) as Array<{
        PolicyName?: string;
        PolicyDocument?: unknown;
      }>) {
        policies.push(
          this.parse(`role ${r.logicalId} inline policy ${inline.PolicyName ?? ''}`, inline.PolicyDocument),
        );
      }
      for (const attached of (r.properties.ManagedPolicyArns ?? []) as unknown[]) {
        const name = String(attached);
        const known = managed.get(name) ?? AWS_MANAGED_POLICIES[name];
        if (known === undefined) continue;
        policies.push(
          'statements' in (known as object)
            ? (known as NamedPolicy)
            : this.parse(`AWS managed policy ${name.slice(name.lastIndexOf('/') + 1)}`, known),
        );
      }
      roles.set(arn, policies);
    }
    for (const r of records) {
      if (r.type !== 'AWS::IAM::Policy' && r.type !== 'AWS::IAM::ManagedPolicy') continue;
      const label =
        r.type === 'AWS::IAM::Policy'
          ? `policy ${r.properties.PolicyName ?? r.logicalId}`
          : `managed policy ${r.logicalId}`;
      for (const roleName of (r.properties.Roles ?? []) as unknown[]) {
        const arn = roleArnByName.get(String(roleName));
        if (arn !== undefined) roles.get(arn)?.push(this.parse(label, r.properties.PolicyDocument));
      }
    }
    const keys = new Map<string, { arn: string; policy: NamedPolicy }>();
    for (const r of records) {
      if (r.type !== 'AWS::KMS::Key') continue;
      const arn = String(r.attributes.Arn);
      const entry = { arn, policy: this.parse(`key policy of ${r.logicalId}`, r.properties.KeyPolicy ?? {}) };
      keys.set(r.ref, entry);
      keys.set(arn, entry);
    }
    for (const r of records) {
      if (r.type !== 'AWS::KMS::Alias') continue;
      const target = keys.get(String(r.properties.TargetKeyId));
      if (target !== undefined) keys.set(String(r.properties.AliasName), target);
    }
    const instanceProfiles = new Map<string, string>();
    for (const r of records) {
      if (r.type !== 'AWS::IAM::InstanceProfile') continue;
      const role = roleArnByName.get(String(((r.properties.Roles ?? []) as unknown[])[0]));
      if (role === undefined) continue;
      instanceProfiles.set(r.ref, role);
      instanceProfiles.set(String(r.attributes.Arn), role);
    }
    const launchTemplates = new Map<string, string>();
    for (const r of records) {
      if (r.type !== 'AWS::EC2::LaunchTemplate') continue;
      const data = r.properties.LaunchTemplateData as
        { IamInstanceProfile?: { Arn?: string; Name?: string } } | undefined;
      const profile = data?.IamInstanceProfile;
      const role = instanceProfiles.get(String(profile?.Arn ?? profile?.Name));
      if (role !== undefined) launchTemplates.set(r.ref, role);
    }
    const functionPermissions = new Map<string, unknown[]>();
    for (const r of records) {
      if (r.type !== 'AWS::Lambda::Permission') continue;
      const p = r.properties;
      const fn = String(p.FunctionName ?? '');
      const name = fn.includes(':function:') ? fn.split(':')[6] : (fn.split(':').pop() ?? fn);
      const principal = String(p.Principal ?? '');
      const condition: Record<string, Record<string, unknown>> = {};
      if (p.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': p.SourceArn };
      if (p.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': p.SourceAccount };
      const list = functionPermissions.get(name) ?? [];
      list.push({
        Sid: r.logicalId,
        Effect: 'Allow',
        Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
        Action: p.Action,
        Resource: '*',
        Condition: condition,
      });
      functionPermissions.set(name, list);
    }
    return { roles, keys, instanceProfiles, launchTemplates, functionPermissions };
  }
}
