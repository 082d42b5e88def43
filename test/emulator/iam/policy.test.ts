/**
 * AWS's policy evaluation for one account, on policy documents as the app's synthesized templates hold them
 * (the Pipeline stack's consumer policy, a queue policy letting S3 send, CDK's enforceSSL deny, a key policy).
 */
import {
  type AuthorizationRequest,
  conditionHolds,
  evaluate,
  evaluateKeyAccess,
  globMatches,
  parsePolicy,
  type Principal,
} from '../../../lib/emulator/iam/policy';

const ACCOUNT = '000000000000';
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:Pipeline-WorkQueue-ABC`;
const BUCKET = `arn:aws:s3:::pipeline-orderbucket-xyz`;
const CONSUMER: Principal = {
  kind: 'role',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/Pipeline-ConsumerRole`,
  sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Pipeline-ConsumerRole/Pipeline-Consumer`,
  accountId: ACCOUNT,
};
const S3_SERVICE: Principal = { kind: 'service', service: 's3.amazonaws.com', accountId: ACCOUNT };

/** The consumer's AWS::IAM::Policy of the Pipeline template, intrinsics resolved. */
const consumerPolicy = parsePolicy('policy ConsumerRoleDefaultPolicy', {
  Statement: [
    {
      Action: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ],
      Effect: 'Allow',
      Resource: QUEUE,
    },
    { Action: 's3:PutObject', Effect: 'Allow', Resource: `${BUCKET}/results/*`, Sid: 'WriteResults' },
  ],
  Version: '2012-10-17',
});

/** The images queue's policy: CDK's enforceSSL deny and the statement `addEventNotification` adds for S3. */
const queuePolicy = parsePolicy('queue policy of ImagesQueue', {
  Statement: [
    {
      Action: 'sqs:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: QUEUE,
    },
    {
      Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      Condition: { ArnLike: { 'aws:SourceArn': BUCKET } },
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Resource: QUEUE,
    },
  ],
});

function request(
  principal: Principal,
  action: string,
  resource: string,
  keys: Record<string, string> = {},
): AuthorizationRequest {
  const context = new Map<string, string[]>([['aws:securetransport', ['true']]]);
  for (const [k, v] of Object.entries(keys)) context.set(k.toLowerCase(), [v]);
  return { principal, action, resource, context };
}

describe('globMatches', () => {
  it('matches IAM wildcards: * any run, ? one character, case-sensitive unless asked', () => {
    expect(globMatches(`${BUCKET}/results/*`, `${BUCKET}/results/a/b.json`)).toBe(true);
    expect(globMatches(`${BUCKET}/results/*`, `${BUCKET}/uploads/a.json`)).toBe(false);
    expect(globMatches('sqs:Get*', 'sqs:GetQueueUrl')).toBe(true);
    expect(globMatches('a?c', 'abc')).toBe(true);
    expect(globMatches('a?c', 'ac')).toBe(false);
    expect(globMatches('SQS:send*', 'sqs:SendMessage', true)).toBe(true);
    expect(globMatches('SQS:send*', 'sqs:SendMessage')).toBe(false);
  });

  it('stays fast on a pattern of many stars against a long non-matching text (no backtracking blow-up)', () => {
    const started = performance.now();
    expect(globMatches(`${'*a'.repeat(200)}b`, 'a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('evaluate', () => {
  it('allows what an identity policy grants and names the statement', () => {
    const decision = evaluate(request(CONSUMER, 'sqs:DeleteMessage', QUEUE), [consumerPolicy], [queuePolicy]);
    expect(decision).toEqual({
      allowed: true,
      reason: 'allowed by policy ConsumerRoleDefaultPolicy statement #1',
    });
  });

  it('implicitly denies what no statement allows, saying which policies it read', () => {
    const decision = evaluate(request(CONSUMER, 'sqs:SendMessage', QUEUE), [consumerPolicy], [queuePolicy]);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe(
      'no statement allowed sqs:SendMessage (looked at: policy ConsumerRoleDefaultPolicy; queue policy of ImagesQueue)',
    );
  });

  it('matches resources with wildcards: results/* but not uploads/*', () => {
    expect(
      evaluate(request(CONSUMER, 's3:PutObject', `${BUCKET}/results/1.json`), [consumerPolicy], []).allowed,
    ).toBe(true);
    expect(
      evaluate(request(CONSUMER, 's3:PutObject', `${BUCKET}/uploads/1.json`), [consumerPolicy], []).allowed,
    ).toBe(false);
  });

  it('lets a service principal in through the resource policy when aws:SourceArn matches, and not otherwise', () => {
    const from = (source: string) =>
      evaluate(request(S3_SERVICE, 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': source }), [], [queuePolicy]);
    expect(from(BUCKET).allowed).toBe(true);
    const wrong = from('arn:aws:s3:::another-bucket');
    expect(wrong.allowed).toBe(false);
    expect(wrong.reason).toContain('no statement allowed sqs:SendMessage');
  });

  it("applies CDK's enforceSSL deny only to requests without TLS, and an explicit deny beats any allow", () => {
    const insecure = request(CONSUMER, 'sqs:DeleteMessage', QUEUE, { 'aws:SecureTransport': 'false' });
    const decision = evaluate(insecure, [consumerPolicy], [queuePolicy]);
    expect(decision).toEqual({
      allowed: false,
      reason: 'explicitly denied by queue policy of ImagesQueue statement #1',
    });
  });

  it('reads NotAction and NotResource', () => {
    const allButDelete = parsePolicy('p', {
      Statement: [{ Effect: 'Allow', NotAction: 'sqs:Delete*', NotResource: `${QUEUE}-dlq` }],
    });
    expect(evaluate(request(CONSUMER, 'sqs:ReceiveMessage', QUEUE), [allButDelete], []).allowed).toBe(true);
    expect(evaluate(request(CONSUMER, 'sqs:DeleteMessage', QUEUE), [allButDelete], []).allowed).toBe(false);
    expect(
      evaluate(request(CONSUMER, 'sqs:ReceiveMessage', `${QUEUE}-dlq`), [allButDelete], []).allowed,
    ).toBe(false);
  });

  it('does not let a resource policy naming only the account grant a role by itself (it delegates to IAM)', () => {
    const accountOnly = parsePolicy('queue policy', {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'sqs:*',
          Resource: QUEUE,
        },
      ],
    });
    expect(evaluate(request(CONSUMER, 'sqs:SendMessage', QUEUE), [], [accountOnly]).allowed).toBe(false);
    const roleNamed = parsePolicy('queue policy', {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: CONSUMER.kind === 'role' ? CONSUMER.roleArn : '' },
          Action: 'sqs:*',
          Resource: QUEUE,
        },
      ],
    });
    expect(evaluate(request(CONSUMER, 'sqs:SendMessage', QUEUE), [], [roleNamed]).allowed).toBe(true);
  });
});

describe('evaluateKeyAccess', () => {
  const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`;
  /** CDK's default key policy plus the statement the FanOut stack adds for SNS. */
  const keyPolicy = parsePolicy('key policy of QueueKey', {
    Statement: [
      { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Resource: '*' },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Resource: '*',
        Sid: 'AllowSns',
      },
    ],
  });
  const sns: Principal = { kind: 'service', service: 'sns.amazonaws.com', accountId: ACCOUNT };

  it('lets a service use the key when the key policy names it', () => {
    expect(evaluateKeyAccess(request(sns, 'kms:GenerateDataKey', KEY), [], keyPolicy)).toEqual({
      allowed: true,
      reason: "allowed by key policy of QueueKey statement 'AllowSns'",
    });
    const s3: Principal = { kind: 'service', service: 's3.amazonaws.com', accountId: ACCOUNT };
    expect(evaluateKeyAccess(request(s3, 'kms:GenerateDataKey', KEY), [], keyPolicy).allowed).toBe(false);
  });

  it('lets a role use the key only through its identity policy when the key policy delegates to the account', () => {
    const grant = parsePolicy('policy ProducerPolicy', {
      Statement: [{ Effect: 'Allow', Action: 'kms:GenerateDataKey*', Resource: KEY }],
    });
    expect(evaluateKeyAccess(request(CONSUMER, 'kms:GenerateDataKey', KEY), [grant], keyPolicy).allowed).toBe(
      true,
    );
    expect(evaluateKeyAccess(request(CONSUMER, 'kms:GenerateDataKey', KEY), [], keyPolicy).allowed).toBe(
      false,
    );
    const noDelegation = parsePolicy('key policy', {
      Statement: [
        { Action: 'kms:*', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Resource: '*' },
      ],
    });
    expect(
      evaluateKeyAccess(request(CONSUMER, 'kms:GenerateDataKey', KEY), [grant], noDelegation).allowed,
    ).toBe(false);
  });
});

describe('conditionHolds', () => {
  const context = new Map<string, string[]>([
    ['aws:sourcearn', ['arn:aws:sns:us-east-1:000000000000:Topic']],
    ['aws:securetransport', ['true']],
  ]);
  const holds = (operator: string, key: string, values: string[]) =>
    conditionHolds({ operator, key, values }, context);

  it('reads String, Arn, Bool and Null operators, IfExists and negation on absent keys as AWS does', () => {
    expect(holds('ArnEquals', 'aws:SourceArn', ['arn:aws:sns:us-east-1:000000000000:Topic'])).toBe(true);
    expect(holds('ArnLike', 'aws:SourceArn', ['arn:aws:sns:*:*:Top*'])).toBe(true);
    expect(holds('StringEquals', 'aws:SourceAccount', ['000000000000'])).toBe(false);
    expect(holds('StringNotEquals', 'aws:SourceAccount', ['000000000000'])).toBe(true);
    expect(holds('StringEqualsIfExists', 'aws:SourceAccount', ['1'])).toBe(true);
    expect(holds('Bool', 'aws:SecureTransport', ['false'])).toBe(false);
    expect(holds('Null', 'aws:SourceAccount', ['true'])).toBe(true);
    expect(holds('Null', 'aws:SourceArn', ['true'])).toBe(false);
    expect(holds('ForAnyValue:StringLike', 'aws:SourceArn', ['*Topic'])).toBe(true);
  });
});
