/**
 * STS through @aws-sdk/client-sts over HTTP: who is calling, AssumeRole and GetSessionToken credentials that work
 * and are recognised afterwards, and AWS's validation errors.
 */
import {
  AssumeRoleCommand,
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { awsErrorOf, startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';
import { rawRequest } from '../../helpers/raw-http';

const ROLE = 'arn:aws:iam::000000000000:role/cdk-hnb659fds-deploy-role-000000000000-us-east-1';

let t: TestEmulator;
let sts: STSClient;
beforeAll(async () => {
  t = await startTestEmulator();
  sts = stsClient(TEST_CREDENTIALS);
});
afterAll(async () => {
  sts.destroy();
  await t.stop();
});

function stsClient(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}): STSClient {
  return new STSClient({ endpoint: t.emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

describe('GetCallerIdentity', () => {
  test('any credentials act as the local account root user', async () => {
    // Act
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    // Assess
    expect(identity).toMatchObject({
      Account: '000000000000',
      UserId: '000000000000',
      Arn: 'arn:aws:iam::000000000000:root',
    });
  });

  test('credentials from AssumeRole are the assumed role session', async () => {
    // Prepare
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'aws-cdk-alice' }),
    );
    const asRole = stsClient({
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken,
    });
    // Act
    const identity = await asRole.send(new GetCallerIdentityCommand({}));
    asRole.destroy();
    // Assess
    expect(identity.Arn).toBe(
      'arn:aws:sts::000000000000:assumed-role/cdk-hnb659fds-deploy-role-000000000000-us-east-1/aws-cdk-alice',
    );
    expect(identity.UserId).toBe(assumed.AssumedRoleUser!.AssumedRoleId);
    expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:aws-cdk-alice$/);
  });

  test('a presigned GetCallerIdentity URL is answered for the key in its query', async () => {
    // Prepare
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'presigned' }));
    const key = assumed.Credentials!.AccessKeyId!;
    const query =
      'Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      `&X-Amz-Credential=${key}%2F20260101%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Signature=00`;
    // Act
    const answer = await rawRequest(`${t.emulator.endpoint}/?${query}`, { method: 'GET' });
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(
      '<Arn>arn:aws:sts::000000000000:assumed-role/cdk-hnb659fds-deploy-role-000000000000-us-east-1/presigned</Arn>',
    );
  });
});

describe('AssumeRole', () => {
  test('returns usable temporary credentials that expire on the emulator clock', async () => {
    // Prepare
    const now = t.clock.now();
    // Act
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: ROLE,
        RoleSessionName: 'deploy',
        DurationSeconds: 900,
        ExternalId: 'ext-1',
      }),
    );
    // Assess
    const credentials = assumed.Credentials!;
    expect(credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials.SecretAccessKey).toHaveLength(40);
    expect(credentials.SessionToken!.length).toBeGreaterThan(100);
    expect(credentials.Expiration!.getTime()).toBe(Math.floor((now + 900_000) / 1000) * 1000);
    expect(assumed.AssumedRoleUser!.Arn).toBe(
      'arn:aws:sts::000000000000:assumed-role/cdk-hnb659fds-deploy-role-000000000000-us-east-1/deploy',
    );
    expect(assumed.PackedPolicySize).toBeUndefined();
    expect(t.emulator.sts.issued(credentials.AccessKeyId!)).toMatchObject({
      externalId: 'ext-1',
      roleArn: ROLE,
    });
  });

  test('takes the members the CDK CLI sends (session tags, transitive keys, source identity)', async () => {
    // Act: as the CLI's withAssumedRole builds them
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: ROLE,
        RoleSessionName: 'aws-cdk-bob',
        Tags: [{ Key: 'team', Value: 'orders' }],
        TransitiveTagKeys: ['team'],
        SourceIdentity: 'bob',
      }),
    );
    // Assess
    expect(assumed.SourceIdentity).toBe('bob');
    expect(assumed.PackedPolicySize).toBeGreaterThan(0);
    expect(t.emulator.sts.issued(assumed.Credentials!.AccessKeyId!)).toMatchObject({
      sourceIdentity: 'bob',
      tags: [{ key: 'team', value: 'orders', transitive: true }],
    });
  });

  test('reports every broken constraint in one ValidationError, as AWS words them', async () => {
    // Act
    const error = await awsErrorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'has space', DurationSeconds: 60 })),
    );
    // Assess
    expect(error).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(error.message).toBe(
      "2 validation errors detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value '60' at 'durationSeconds' failed " +
        'to satisfy constraint: Member must have value greater than or equal to 900',
    );
  });

  test.each([
    [
      { RoleSessionName: 'x' },
      "at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    ],
    [
      { DurationSeconds: 43_201 },
      "Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    ],
    [
      { ExternalId: 'a b' },
      "at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern",
    ],
    [{ RoleArn: 'arn:aws:s3:::not-a-role-at-all' }, 'arn:aws:s3:::not-a-role-at-all is invalid'],
    [
      { RoleArn: 'short' },
      "Value 'short' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    ],
    [
      { Tags: [{ Key: 'a', Value: '1' }], TransitiveTagKeys: ['b'] },
      'transitive tag key b must be included in the requested tags',
    ],
    [
      {
        Tags: [
          { Key: 'Team', Value: '1' },
          { Key: 'team', Value: '2' },
        ],
      },
      'Duplicate tag keys found',
    ],
  ])('refuses %j', async (change, message) => {
    // Act
    const error = await awsErrorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'deploy', ...change })),
    );
    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(message);
  });

  test('refuses a session policy that is not JSON, and one over the packed size', async () => {
    // Act
    const malformed = await awsErrorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'pj', Policy: '{not json' })),
    );
    const large = await awsErrorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: ROLE,
          RoleSessionName: 'pp',
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [], Sid: 'x'.repeat(2100) }),
        }),
      ),
    );
    // Assess
    expect(malformed).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      code: 'MalformedPolicyDocument',
    });
    expect(malformed.message).toBe('The policy is not in the valid JSON format.');
    expect(large.name).toBe('PackedPolicyTooLargeException');
  });

  test('limits a chained role session to 1 hour', async () => {
    // Prepare
    const first = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'first' }));
    const asRole = stsClient({
      accessKeyId: first.Credentials!.AccessKeyId!,
      secretAccessKey: first.Credentials!.SecretAccessKey!,
      sessionToken: first.Credentials!.SessionToken,
    });
    // Act
    const error = await awsErrorOf(
      asRole.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'second', DurationSeconds: 7200 })),
    );
    const chained = await asRole.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'second' }));
    asRole.destroy();
    // Assess
    expect(error.message).toBe(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
    expect(chained.AssumedRoleUser!.Arn).toMatch(/\/second$/);
  });

  test('refuses ProvidedContexts by name', async () => {
    // Act
    const error = await awsErrorOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: ROLE,
          RoleSessionName: 'ctx',
          ProvidedContexts: [
            { ProviderArn: 'arn:aws:iam::aws:contextProvider/IdentityCenter', ContextAssertion: 'a' },
          ],
        }),
      ),
    );
    // Assess
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: 'ProvidedContexts is not supported by the local emulator.',
    });
  });

  test('pads the session token to MinimumSessionTokenSize', async () => {
    // Act
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'big', MinimumSessionTokenSize: 3000 }),
    );
    // Assess
    expect(assumed.Credentials!.SessionToken!.length).toBeGreaterThanOrEqual(3000);
  });
});

describe('GetSessionToken', () => {
  test('the root user gets a session of at most 1 hour, as AWS shortens it', async () => {
    // Prepare
    const now = t.clock.now();
    // Act
    const session = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    // Assess
    expect(session.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(session.Credentials!.Expiration!.getTime()).toBe(Math.floor((now + 3_600_000) / 1000) * 1000);
  });

  test('session credentials cannot get another session token', async () => {
    // Prepare
    const session = await sts.send(new GetSessionTokenCommand({}));
    const asSession = stsClient({
      accessKeyId: session.Credentials!.AccessKeyId!,
      secretAccessKey: session.Credentials!.SecretAccessKey!,
      sessionToken: session.Credentials!.SessionToken,
    });
    // Act
    const error = await awsErrorOf(asSession.send(new GetSessionTokenCommand({})));
    const identity = await asSession.send(new GetCallerIdentityCommand({}));
    asSession.destroy();
    // Assess
    expect(error).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(error.message).toBe('Cannot call GetSessionToken with session credentials');
    expect(identity.Arn).toBe('arn:aws:iam::000000000000:root');
  });

  test('refuses a duration outside 900..129600 seconds', async () => {
    // Act
    const error = await awsErrorOf(sts.send(new GetSessionTokenCommand({ DurationSeconds: 129_601 })));
    // Assess
    expect(error.message).toBe(
      "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: " +
        'Member must have value less than or equal to 129600',
    );
  });
});

test('GetAccessKeyInfo names the local account', async () => {
  // Act
  const info = await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }));
  // Assess
  expect(info.Account).toBe('000000000000');
});

test('an operation of STS the emulator lacks says so', async () => {
  // Act
  const answer = await rawRequest(`${t.emulator.endpoint}/`, {
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, Signature=0',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'Action=GetFederationToken&Version=2011-06-15&Name=bob',
  });
  // Assess
  expect(answer.status).toBe(400);
  expect(answer.body).toContain(
    'The local emulator does not implement the STS operation GetFederationToken.',
  );
});
