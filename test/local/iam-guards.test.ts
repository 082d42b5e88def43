/**
 * Permissions locally (`--iam enforce`): each integration's guard, proven by removing it from a copy of the
 * app's synthesized template and deploying the copy. Every denial is refused as AWS refuses it and explained
 * (principal, action, resource, and the statement that denied or that none allowed).
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ActivityEvent } from '../../lib/emulator/activity';
import { ManualClock } from '../../lib/emulator/clock';
import { type AssemblyStack, readCloudAssembly } from '../../lib/emulator/deploy/cloud-assembly';
import { deployStacks, type LocalDeployment } from '../../lib/emulator/deploy/local-deployment';
import type { CfnTemplate } from '../../lib/emulator/deploy/template';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';
import { formatResourceTable } from '../../lib/local/report';
import { eventually, TEST_CREDENTIALS } from '../helpers/emulator';
import { testAssembly, TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Denial = Extract<ActivityEvent, { kind: 'access-denied' }>;
type Published = Extract<ActivityEvent, { kind: 'notification-published' }>;

describe('permissions locally (--iam enforce): each guard, removed from a copy of the template', () => {
  let stacks: AssemblyStack[];
  let emulator: Emulator;
  const denials: Denial[] = [];
  const published: Published[] = [];
  let copies = 0;

  beforeAll(async () => {
    stacks = readCloudAssembly(await testAssembly());
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  // a copy of a stack with named queues needs an emulator of its own
  beforeEach(async () => {
    denials.length = 0;
    published.length = 0;
    emulator = await startEmulator({
      port: 0,
      clock: new ManualClock(Date.parse('2026-11-21T09:00:00Z')),
      iam: 'enforce',
      onFunctionLog: () => {},
    });
    emulator.activity.listen((e) => {
      if (e.kind === 'access-denied') denials.push(e);
      if (e.kind === 'notification-published') published.push(e);
    });
  });
  afterEach(() => emulator.stop());

  /** Deploys a copy of a stack of the app, under a name of its own, after `change` edited its template. */
  function deployCopy(id: string, change: (resources: Resources) => void): Promise<LocalDeployment> {
    const stack = stacks.find((s) => s.id === id) as AssemblyStack;
    const template = structuredClone(stack.template) as CfnTemplate;
    change(template.Resources as unknown as Resources);
    copies += 1;
    return deployStacks(emulator, [{ ...stack, stackName: `guard-${copies}-${stack.stackName}`, template }]);
  }

  /** The one resource of a type whose logical id starts with `prefix`. */
  function resource(resources: Resources, type: string, prefix: string) {
    const found = Object.entries(resources).find(([id, r]) => r.Type === type && id.startsWith(prefix));
    if (!found) throw new Error(`no ${type} ${prefix}* in the template`);
    return found[1];
  }

  /** Removes `action` from every statement of a policy document (a statement left with none goes). */
  function withoutAction(
    document: { Statement: Array<{ Action: string | string[] }> },
    action: string,
  ): void {
    document.Statement = document.Statement.map((s) => ({
      ...s,
      Action: (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => a !== action),
    })).filter((s) => s.Action.length > 0);
  }

  const clients = () => {
    const config = { endpoint: emulator.endpoint, region: emulator.region, credentials: TEST_CREDENTIALS };
    return {
      sqs: new SQSClient(config),
      sns: new SNSClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      cloudwatch: new CloudWatchClient(config),
    };
  };

  /** Sets the Pipeline copy's dead-letter alarm to ALARM; answers its topic and its action history items. */
  async function raiseDeadLetterAlarm(deployment: LocalDeployment) {
    const stack = deployment.stacks[0];
    const alarmName = stack.resources.find((r) => r.logicalId.startsWith('ConsumerDeadLetterAlarm'))
      ?.ref as string;
    const topicArn = deployment.output(stack.id, 'AlarmTopicArn');
    const { cloudwatch } = clients();
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'guard test' }),
    );
    await emulator.idle();
    const { AlarmHistoryItems } = await cloudwatch.send(
      new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: 'Action' }),
    );
    return { topicArn, actions: AlarmHistoryItems ?? [] };
  }

  test('the consumer without sqs:DeleteMessage: its event source mapping is refused, as AWS refuses it', async () => {
    // Act
    const deploying = deployCopy('Pipeline', (r) =>
      withoutAction(
        resource(r, 'AWS::IAM::Policy', 'ConsumerRoleDefaultPolicy').Properties.PolicyDocument as never,
        'sqs:DeleteMessage',
      ),
    );

    // Assess
    await expect(deploying).rejects.toThrow(
      'The provided execution role does not have permissions to call DeleteMessage on SQS',
    );
    expect(denials).toContainEqual(
      expect.objectContaining({
        action: 'sqs:DeleteMessage',
        resource: expect.stringMatching(/^arn:aws:sqs:.*WorkQueue/),
        reason: expect.stringContaining('no statement allowed sqs:DeleteMessage'),
        enforced: true,
      }),
    );
  });

  test('the producer without sqs:SendMessage: its SendMessage is AccessDenied, and the live log says why', async () => {
    // Prepare
    const deployment = await deployCopy('Pipeline', (r) =>
      withoutAction(
        resource(r, 'AWS::IAM::Policy', 'ProducerRoleDefaultPolicy').Properties.PolicyDocument as never,
        'sqs:SendMessage',
      ),
    );
    const { s3, sqs } = clients();
    const bucket = deployment.output(deployment.stacks[0].id, 'BucketName');

    // Act: the upload invokes the producer, whose SDK signs with its role session's key
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'uploads/o.json',
        Body: '[{"orderId":"o-1","customerId":"c","items":[{"sku":"a","quantity":1,"unitPrice":1}]}]',
      }),
    );

    // Assess
    const denial = await eventually(async () => denials.find((d) => d.action === 'sqs:SendMessage'), {
      clock: emulator.clock as ManualClock,
    });
    expect(denial).toMatchObject({
      principal: expect.stringMatching(
        /^arn:aws:sts::000000000000:assumed-role\/.*ProducerRole.*\/.*ProducerFunction/,
      ),
      resource: expect.stringMatching(/WorkQueue/),
      reason: expect.stringMatching(
        /^no statement allowed sqs:SendMessage \(looked at: policy ProducerRoleDefaultPolicy/,
      ),
    });
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deployment.output(deployment.stacks[0].id, 'WorkQueueUrl'),
        WaitTimeSeconds: 0,
      }),
    );
    expect(Messages ?? []).toEqual([]);
  });

  test('a queue policy without the S3 statement: the notification configuration fails as on AWS', async () => {
    const deploying = deployCopy('Pipeline', (r) => {
      const policy = resource(r, 'AWS::SQS::QueuePolicy', 'ImagesQueuePolicy').Properties.PolicyDocument as {
        Statement: unknown[];
      };
      policy.Statement = policy.Statement.slice(0, 1);
    });

    await expect(deploying).rejects.toThrow('Unable to validate the following destination configurations');
    expect(denials).toContainEqual(
      expect.objectContaining({
        principal: 's3.amazonaws.com',
        action: 'sqs:SendMessage',
        resource: expect.stringMatching(/ImagesQueue/),
      }),
    );
  });

  test('a wrong aws:SourceArn in the queue policy: S3 is denied, naming the policies it read', async () => {
    const deploying = deployCopy('Pipeline', (r) => {
      const policy = resource(r, 'AWS::SQS::QueuePolicy', 'ImagesQueuePolicy').Properties.PolicyDocument as {
        Statement: Array<{ Condition?: Record<string, Record<string, unknown>> }>;
      };
      policy.Statement[1].Condition = { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::some-other-bucket' } };
    });

    await expect(deploying).rejects.toThrow('Unable to validate the following destination configurations');
    expect(denials).toContainEqual(
      expect.objectContaining({
        principal: 's3.amazonaws.com',
        reason: expect.stringMatching(/^no statement allowed sqs:SendMessage \(looked at: queue policy of /),
      }),
    );
  });

  test('an SNS subscription to an encrypted queue whose key policy does not allow SNS: nothing is delivered, the log says why', async () => {
    // Prepare
    const deployment = await deployCopy('FanOut', (r) => {
      const key = resource(r, 'AWS::KMS::Key', 'QuoteKey').Properties.KeyPolicy as {
        Statement: Array<{ Sid?: string }>;
      };
      key.Statement = key.Statement.filter((s) => s.Sid !== 'AllowSnsToSendEncryptedMessages');
    });
    const id = deployment.stacks[0].id;
    const topicArn = deployment.stacks[0].resources.find((r) => r.logicalId.startsWith('QuoteTopic'))
      ?.ref as string;
    const { sns, sqs } = clients();

    // Act
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: '{"type":"car"}',
        MessageAttributes: { type: { DataType: 'String', StringValue: 'car' } },
      }),
    );
    await emulator.idle();

    // Assess
    const denial = denials.find((d) => d.principal === 'sns.amazonaws.com');
    expect(denial).toMatchObject({
      action: 'sqs:SendMessage',
      reason: expect.stringMatching(
        /^kms:GenerateDataKey on arn:aws:kms:.*: no statement allowed kms:GenerateDataKey/,
      ),
    });
    const queueUrl = deployment.output(id, 'VehicleSalesQueueUrl');
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
    );
    expect(Messages ?? []).toEqual([]);
  });

  test("the app's alarm topic under enforce: CloudWatch publishes the alarm's notification", async () => {
    // Prepare
    const deployment = await deployCopy('Pipeline', () => {});

    // Act
    const { topicArn, actions } = await raiseDeadLetterAlarm(deployment);

    // Assess
    expect(denials).toEqual([]);
    expect(actions.map((a) => a.HistorySummary)).toEqual([`Successfully executed action ${topicArn}`]);
    expect(published.map((p) => p.topicName)).toEqual([topicArn.split(':')[5]]);
  });

  test("an alarm topic whose key policy lacks cloudwatch.amazonaws.com: the alarm's notification is refused, the log says why", async () => {
    // Prepare
    const deployment = await deployCopy('Pipeline', (r) => {
      const key = resource(r, 'AWS::KMS::Key', 'AlarmTopicKey').Properties.KeyPolicy as {
        Statement: Array<{ Sid?: string }>;
      };
      key.Statement = key.Statement.filter((s) => s.Sid !== 'AllowCloudWatchAlarmsToPublish');
    });

    // Act
    const { topicArn, actions } = await raiseDeadLetterAlarm(deployment);

    // Assess: as AWS's alarm history words a KMS refusal, and nothing is published
    expect(denials).toContainEqual(
      expect.objectContaining({
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        resource: topicArn,
        reason: expect.stringMatching(
          /^kms:GenerateDataKey on arn:aws:kms:.*: no statement allowed kms:GenerateDataKey/,
        ),
        enforced: true,
      }),
    );
    expect(actions.map((a) => a.HistorySummary)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Failed to execute action ${topicArn}\\. Received error: "null \\(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException\\)`,
        ),
      ),
    ]);
    expect(published).toEqual([]);
  });

  test('an alarm topic whose topic policy does not allow CloudWatch: refused as AWS refuses it', async () => {
    // Prepare
    const deployment = await deployCopy('Pipeline', (r) => {
      const policy = resource(r, 'AWS::SNS::TopicPolicy', 'AlarmTopicPolicy').Properties.PolicyDocument as {
        Statement: Array<{ Sid?: string }>;
      };
      policy.Statement = policy.Statement.filter((s) => s.Sid !== 'AllowCloudWatchAlarmsToPublish');
    });

    // Act
    const { topicArn, actions } = await raiseDeadLetterAlarm(deployment);

    // Assess
    expect(denials).toContainEqual(
      expect.objectContaining({
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        reason: expect.stringMatching(/^no statement allowed sns:Publish/),
      }),
    );
    expect(actions[0]?.HistorySummary).toContain(
      `is not authorized to perform: SNS:Publish on resource: ${topicArn} because no resource-based policy allows the SNS:Publish action`,
    );
    expect(published).toEqual([]);
  });

  test('the start-up table says the policies are evaluated under enforce, and only stored under off', async () => {
    // Act
    const enforced = formatResourceTable(await deployCopy('Pipeline', () => {}));
    const off = await startEmulator({ port: 0, iam: 'off', onFunctionLog: () => {} });
    let stored: string;
    try {
      const stack = stacks.find((s) => s.id === 'Pipeline') as AssemblyStack;
      stored = formatResourceTable(await deployStacks(off, [stack]));
    } finally {
      await off.stop();
    }

    // Assess
    for (const type of ['AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::S3::BucketPolicy']) {
      expect(enforced).toMatch(new RegExp(`${type}\\s.*\\(evaluated \\(--iam enforce\\)\\)`));
      expect(stored).toMatch(new RegExp(`${type}\\s.*\\(stored; not enforced \\(--iam off\\)\\)`));
    }
    expect(stored).toMatch(/AWS::IAM::Role\s+ProducerRole\s+kept .*\(stored; not enforced \(--iam off\)\)/);
    expect(`${enforced}\n${stored}`).not.toContain('not enforced locally');
  });

  test("a request signed with a wrong secret for a function's key gets SignatureDoesNotMatch; the right one passes", async () => {
    // Prepare: the consumer's own session, as its execution environment has it
    const deployment = await deployCopy('Pipeline', () => {});
    const consumer = deployment.stacks[0].resources.find(
      (r) => r.logicalId.startsWith('ConsumerFunction') && r.type === 'AWS::Lambda::Function',
    );
    const role = deployment.stacks[0].resources.find(
      (r) => r.logicalId.startsWith('ConsumerRole') && r.type === 'AWS::IAM::Role',
    );
    const session = emulator.iam.credentialsFor(String(role?.attributes.Arn), String(consumer?.ref));
    if (!session) throw new Error('no credentials under --iam enforce');
    const queueUrl = deployment.output(deployment.stacks[0].id, 'WorkQueueUrl');
    const client = (secretAccessKey: string) =>
      new SQSClient({
        endpoint: emulator.endpoint,
        region: emulator.region,
        credentials: {
          accessKeyId: session.accessKeyId,
          secretAccessKey,
          sessionToken: session.sessionToken,
        },
      });

    // Act + Assess: the wrong secret
    await expect(
      client('not-the-secret').send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 })),
    ).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    // the right secret: what the role allows passes, what it does not is AccessDenied
    await expect(
      client(session.secretAccessKey).send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
      ),
    ).resolves.toBeDefined();
    await expect(
      client(session.secretAccessKey).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('is not authorized to perform: sqs:SendMessage'),
    });
  });
});
