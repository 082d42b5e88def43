/**
 * STS and SSM Parameter Store through the AWS CLIs (v1 and v2.9) and boto3, as users and scripts call them.
 */
import { AWS_CLIS, awsCli, boto3 } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t?.stop();
});

describe.each(AWS_CLIS)('%s', (name, command) => {
  const cli = (...args: string[]) => awsCli(command, t.emulator.endpoint, ...args);
  // a name of its own per CLI (a name starting with `aws` is reserved)
  const prefix = `/cli-${name.replace(/\W+/g, '-')}`;

  test('aws sts get-caller-identity and assume-role', async () => {
    // Act
    const identity = await cli('sts', 'get-caller-identity');
    const assumed = (await cli(
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::000000000000:role/cli-role',
      '--role-session-name',
      'cli-session',
      '--duration-seconds',
      '900',
    )) as { Credentials: { AccessKeyId: string; Expiration: string }; AssumedRoleUser: { Arn: string } };
    // Assess
    expect(identity).toEqual({
      UserId: '000000000000',
      Account: '000000000000',
      Arn: 'arn:aws:iam::000000000000:root',
    });
    expect(assumed.Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(Date.parse(assumed.Credentials.Expiration)).toBe(
      Math.floor((t.clock.now() + 900_000) / 1000) * 1000,
    );
    expect(assumed.AssumedRoleUser.Arn).toBe('arn:aws:sts::000000000000:assumed-role/cli-role/cli-session');
  });

  // few calls: each starts a Python interpreter
  test('aws ssm put-parameter, get-parameters-by-path, and get-parameter of a missing one', async () => {
    // Act
    const put = await cli(
      'ssm',
      'put-parameter',
      '--name',
      `${prefix}/db/host`,
      '--value',
      'db.local',
      '--type',
      'String',
    );
    const byPath = (await cli('ssm', 'get-parameters-by-path', '--path', prefix, '--recursive')) as {
      Parameters: { Name: string; Value: string; Version: number }[];
    };
    const printed = await cli('ssm', 'get-parameter', '--name', `${prefix}/missing`).then(
      () => 'succeeded',
      (error: { stderr?: string }) => String(error.stderr),
    );
    // Assess
    expect(put).toEqual({ Version: 1, Tier: 'Standard' });
    expect(byPath.Parameters.map((p) => [p.Name, p.Value, p.Version])).toEqual([
      [`${prefix}/db/host`, 'db.local', 1],
    ]);
    expect(printed).toContain(
      'An error occurred (ParameterNotFound) when calling the GetParameter operation',
    );
  });
});

test('boto3: assume a role, then write and read a SecureString parameter with its credentials', async () => {
  // Act
  const printed = await boto3(
    'sts = boto3.client("sts", endpoint_url=sys.argv[1])\n' +
      'c = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/py", RoleSessionName="py")["Credentials"]\n' +
      'ssm = boto3.client("ssm", endpoint_url=sys.argv[1], aws_access_key_id=c["AccessKeyId"],\n' +
      '  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])\n' +
      'ssm.put_parameter(Name="/py/secret", Value="hush", Type="SecureString")\n' +
      'print(ssm.get_parameter(Name="/py/secret", WithDecryption=True)["Parameter"]["Value"])\n' +
      'f = [{"Key": "Name", "Values": ["/py/secret"]}]\n' +
      'print(ssm.describe_parameters(ParameterFilters=f)["Parameters"][0]["LastModifiedUser"])\n' +
      'try:\n  ssm.get_parameter(Name="/py/none")\nexcept ssm.exceptions.ParameterNotFound:\n  print("not found")',
    t.emulator.endpoint,
  );
  if (printed === undefined) return console.log('boto3 is not on this machine: skipped');
  // Assess
  expect(printed.trim().split('\n')).toEqual([
    'hush',
    'arn:aws:sts::000000000000:assumed-role/py/py',
    'not found',
  ]);
});
