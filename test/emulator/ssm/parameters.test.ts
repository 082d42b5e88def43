/**
 * SSM Parameter Store through @aws-sdk/client-ssm over HTTP (AWS JSON 1.1): versions, selectors, paths, filters,
 * labels, tags, and AWS's errors and limits.
 */
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  paginateGetParametersByPath,
  PutParameterCommand,
  type PutParameterCommandInput,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { awsErrorOf, startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
let ssm: SSMClient;
beforeEach(async () => {
  t = await startTestEmulator();
  ssm = new SSMClient({
    endpoint: t.emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  ssm.destroy();
  await t.stop();
});

function put(input: PutParameterCommandInput) {
  return ssm.send(new PutParameterCommand({ Type: 'String', ...input }));
}

describe('PutParameter and GetParameter', () => {
  test('creates version 1, overwrites to version 2, and reads each back by selector', async () => {
    // Prepare
    const first = await put({ Name: '/app/db/host', Value: 'one', Description: 'database host' });
    t.clock.advance(1000);
    const second = await put({ Name: '/app/db/host', Value: 'two', Overwrite: true });
    // Act
    const latest = await ssm.send(new GetParameterCommand({ Name: '/app/db/host' }));
    const v1 = await ssm.send(new GetParameterCommand({ Name: '/app/db/host:1' }));
    // Assess
    expect([first, second].map((r) => [r.Version, r.Tier])).toEqual([
      [1, 'Standard'],
      [2, 'Standard'],
    ]);
    expect(latest.Parameter).toEqual({
      Name: '/app/db/host',
      Type: 'String',
      Value: 'two',
      Version: 2,
      LastModifiedDate: new Date(t.clock.now() - (t.clock.now() % 1000)),
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host',
      DataType: 'text',
    });
    expect(v1.Parameter).toMatchObject({ Name: '/app/db/host', Value: 'one', Version: 1, Selector: ':1' });
  });

  test('a second put without Overwrite answers ParameterAlreadyExists and changes nothing', async () => {
    // Prepare
    await put({ Name: 'plain', Value: 'a' });
    // Act
    const error = await awsErrorOf(put({ Name: 'plain', Value: 'b' }));
    const kept = await ssm.send(new GetParameterCommand({ Name: 'plain' }));
    // Assess
    expect(error).toMatchObject({ name: 'ParameterAlreadyExists', status: 400 });
    expect(error.message).toBe(
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
    expect(kept.Parameter!.Value).toBe('a');
  });

  test('SecureString values are shown encoded unless WithDecryption', async () => {
    // Prepare
    await put({ Name: '/app/secret', Value: 's3cret', Type: 'SecureString' });
    // Act
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/app/secret' }));
    const shown = await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }));
    const described = await ssm.send(new DescribeParametersCommand({}));
    // Assess
    expect(hidden.Parameter!.Value).not.toContain('s3cret');
    expect(shown.Parameter!.Value).toBe('s3cret');
    expect(described.Parameters![0]).toMatchObject({ Name: '/app/secret', KeyId: 'alias/aws/ssm' });
  });

  test('a label selects its version, and moves when put on another', async () => {
    // Prepare
    await put({ Name: '/app/flag', Value: 'off' });
    await put({ Name: '/app/flag', Value: 'on', Overwrite: true });
    const labelled = await ssm.send(
      new LabelParameterVersionCommand({
        Name: '/app/flag',
        ParameterVersion: 1,
        Labels: ['prod', '1bad', 'awsy'],
      }),
    );
    // Act
    const prod1 = await ssm.send(new GetParameterCommand({ Name: '/app/flag:prod' }));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/flag', Labels: ['prod'] }));
    const prod2 = await ssm.send(new GetParameterCommand({ Name: '/app/flag:prod' }));
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/flag' }));
    const unlabelled = await ssm.send(
      new UnlabelParameterVersionCommand({
        Name: '/app/flag',
        ParameterVersion: 2,
        Labels: ['prod', 'none'],
      }),
    );
    const missing = await awsErrorOf(ssm.send(new GetParameterCommand({ Name: '/app/flag:prod' })));
    // Assess
    expect(labelled).toMatchObject({ InvalidLabels: ['1bad', 'awsy'], ParameterVersion: 1 });
    expect([prod1.Parameter!.Value, prod1.Parameter!.Selector]).toEqual(['off', ':prod']);
    expect(prod2.Parameter!.Value).toBe('on');
    expect(history.Parameters!.map((p) => [p.Version, p.Value, p.Labels])).toEqual([
      [1, 'off', []],
      [2, 'on', ['prod']],
    ]);
    expect(history.Parameters![0].LastModifiedUser).toBe('arn:aws:iam::000000000000:root');
    expect(unlabelled).toMatchObject({ RemovedLabels: ['prod'], InvalidLabels: ['none'] });
    expect(missing.name).toBe('ParameterVersionNotFound');
  });

  test('missing parameters and versions answer AWS codes', async () => {
    // Prepare
    await put({ Name: '/x', Value: 'v' });
    // Act
    const missing = await awsErrorOf(ssm.send(new GetParameterCommand({ Name: '/nope' })));
    const version = await awsErrorOf(ssm.send(new GetParameterCommand({ Name: '/x:7' })));
    const deleted = await awsErrorOf(ssm.send(new DeleteParameterCommand({ Name: '/nope' })));
    // Assess
    expect(missing).toMatchObject({ name: 'ParameterNotFound', status: 400 });
    expect(version).toMatchObject({ name: 'ParameterVersionNotFound' });
    expect(version.message).toBe(
      'Systems Manager could not find version 7 of /x. Verify the version and try again.',
    );
    expect(deleted.name).toBe('ParameterNotFound');
  });

  test('records the assumed role that wrote a version as LastModifiedUser', async () => {
    // Prepare
    const sts = new STSClient({
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const role = await sts.send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/deployer', RoleSessionName: 'ci' }),
    );
    sts.destroy();
    const asRole = new SSMClient({
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: {
        accessKeyId: role.Credentials!.AccessKeyId!,
        secretAccessKey: role.Credentials!.SecretAccessKey!,
        sessionToken: role.Credentials!.SessionToken,
      },
    });
    // Act
    await asRole.send(new PutParameterCommand({ Name: '/by/role', Value: 'v', Type: 'String' }));
    asRole.destroy();
    const described = await ssm.send(new DescribeParametersCommand({}));
    // Assess
    expect(described.Parameters![0].LastModifiedUser).toBe(
      'arn:aws:sts::000000000000:assumed-role/deployer/ci',
    );
  });
});

describe('limits and validation', () => {
  test.each([
    [
      'awsThing',
      'ValidationException',
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    ],
    ['/aws/mine', 'AccessDeniedException', 'No access to reserved parameter name: /aws/mine.'],
    ['/SSM/mine', 'ValidationException', 'Parameter name: can\'t be prefixed with "ssm" (case-insensitive).'],
    ['has space', 'ValidationException', 'each sub-path can be formed as a mix of letters, numbers'],
    ['a/b', 'ValidationException', 'each sub-path can be formed as a mix of letters, numbers'],
    [
      `/${'a/'.repeat(15)}z`,
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels.',
    ],
    [`/${'n'.repeat(1000)}`, 'ValidationException', 'at most 1011 characters'],
  ])('refuses the name %.24s', async (name, code, message) => {
    // Act
    const error = await awsErrorOf(put({ Name: name, Value: 'v' }));
    // Assess
    expect(error.name).toBe(code);
    expect(error.message).toContain(message);
  });

  test('a standard value holds 4 KB, an advanced one 8 KB; advanced cannot go back to standard', async () => {
    // Act
    const tooLarge = await awsErrorOf(put({ Name: '/big', Value: 'x'.repeat(4097) }));
    const advanced = await put({ Name: '/big', Value: 'x'.repeat(8192), Tier: 'Advanced' });
    const tiered = await put({ Name: '/auto', Value: 'x'.repeat(5000), Tier: 'Intelligent-Tiering' });
    const downgrade = await awsErrorOf(put({ Name: '/big', Value: 'x', Tier: 'Standard', Overwrite: true }));
    const overAdvanced = await awsErrorOf(put({ Name: '/big2', Value: 'x'.repeat(8193), Tier: 'Advanced' }));
    // Assess
    expect(tooLarge.message).toContain(
      'Standard tier parameters support a maximum parameter value of 4096 characters.',
    );
    expect([advanced.Tier, tiered.Tier]).toEqual(['Advanced', 'Advanced']);
    expect(downgrade.message).toContain("You can't downgrade a parameter from the advanced-parameter tier");
    expect(overAdvanced.message).toContain('8192');
  });

  test('type is required to create, and checked against AWS enums, all before anything is stored', async () => {
    // Act
    const noType = await awsErrorOf(ssm.send(new PutParameterCommand({ Name: '/t', Value: 'v' })));
    const badType = await awsErrorOf(put({ Name: '/t', Value: 'v', Type: 'Number' as never }));
    const empty = await awsErrorOf(put({ Name: '/t', Value: '' }));
    const listed = await ssm.send(new DescribeParametersCommand({}));
    // Assess
    expect(noType.message).toBe('A parameter type is required when you create a parameter.');
    expect(badType.message).toBe(
      "1 validation error detected: Value 'Number' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]",
    );
    expect(empty.message).toContain("Value '' at 'value' failed to satisfy constraint");
    expect(listed.Parameters).toEqual([]);
  });

  test('refuses AllowedPattern and Policies by name, and tags with Overwrite', async () => {
    // Act
    const pattern = await awsErrorOf(put({ Name: '/p', Value: 'v', AllowedPattern: '^(a+)+$' }));
    const policies = await awsErrorOf(put({ Name: '/p', Value: 'v', Tier: 'Advanced', Policies: '[]' }));
    const tagsOverwrite = await awsErrorOf(
      put({ Name: '/p', Value: 'v', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }),
    );
    // Assess
    expect(pattern).toMatchObject({
      name: 'ValidationException',
      message: 'AllowedPattern is not supported by the local emulator.',
    });
    expect(policies.message).toBe('Policies is not supported by the local emulator.');
    expect(tagsOverwrite.message).toContain("tags and overwrite can't be used together");
  });

  test('aws:ec2:image values must be AMI ids', async () => {
    // Act
    const good = await put({ Name: '/ami', Value: 'ami-0123456789abcdef0', DataType: 'aws:ec2:image' });
    const bad = await awsErrorOf(put({ Name: '/ami2', Value: 'not-an-ami', DataType: 'aws:ec2:image' }));
    const unknown = await awsErrorOf(put({ Name: '/dt', Value: 'v', DataType: 'Text' }));
    // Assess
    expect(good.Version).toBe(1);
    expect(bad.name).toBe('ValidationException');
    expect(unknown.message).toBe(
      'The following data type is not supported: Text (Data type names are all lowercase.)',
    );
  });

  test('keeps the last 100 versions, unless the oldest is labelled', async () => {
    // Prepare
    // in process: a hundred HTTP round trips add nothing to what is tested
    for (let i = 1; i <= 100; i += 1) {
      t.emulator.ssm.putParameter({ Name: '/v', Value: String(i), Type: 'String', Overwrite: i > 1 });
    }
    // Act
    const v101 = await put({ Name: '/v', Value: '101', Overwrite: true });
    const v1 = await awsErrorOf(ssm.send(new GetParameterCommand({ Name: '/v:1' })));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/v', ParameterVersion: 2, Labels: ['keep'] }));
    const blocked = await awsErrorOf(put({ Name: '/v', Value: '102', Overwrite: true }));
    // Assess
    expect(v101.Version).toBe(101);
    expect(v1.name).toBe('ParameterVersionNotFound');
    expect(blocked.name).toBe('ParameterMaxVersionLimitExceeded');
  });
});

describe('many parameters at once', () => {
  beforeEach(async () => {
    for (const name of ['/app/a', '/app/b', '/app/sub/c', '/app/sub/deep/d', '/other/e', 'top']) {
      await put({ Name: name, Value: name, Type: name.endsWith('b') ? 'StringList' : 'String' });
    }
  });

  test('GetParameters answers the found ones and lists the invalid', async () => {
    // Act
    const got = await ssm.send(
      new GetParametersCommand({ Names: ['/app/a', '/nope', '/app/b:1', '/app/b:9'] }),
    );
    const tooMany = await awsErrorOf(
      ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) })),
    );
    // Assess
    expect(got.Parameters!.map((p) => [p.Name, p.Selector])).toEqual([
      ['/app/a', undefined],
      ['/app/b', ':1'],
    ]);
    expect(got.InvalidParameters).toEqual(['/nope', '/app/b:9']);
    expect(tooMany.message).toContain(
      "at 'names' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
  });

  test('GetParametersByPath: one level, recursive, filtered, in pages', async () => {
    // Act
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/app' }));
    const recursive: string[] = [];
    for await (const page of paginateGetParametersByPath(
      { client: ssm, pageSize: 2 },
      { Path: '/app/', Recursive: true },
    )) {
      recursive.push(...page.Parameters!.map((p) => p.Name!));
    }
    const lists = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['StringList'] }],
      }),
    );
    const badKey = await awsErrorOf(
      ssm.send(
        new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }),
      ),
    );
    const badPath = await awsErrorOf(ssm.send(new GetParametersByPathCommand({ Path: 'app' })));
    // Assess
    expect(oneLevel.Parameters!.map((p) => p.Name)).toEqual(['/app/a', '/app/b']);
    expect(recursive).toEqual(['/app/a', '/app/b', '/app/sub/c', '/app/sub/deep/d']);
    expect(lists.Parameters!.map((p) => p.Name)).toEqual(['/app/b']);
    expect(badKey).toMatchObject({
      name: 'InvalidFilterKey',
      message:
        'The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId, Label].',
    });
    expect(badPath.message).toContain('The parameter name must begin with a forward slash "/".');
  });

  test('DescribeParameters filters by name, path and tag', async () => {
    // Prepare
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/other/e',
        Tags: [{ Key: 'team', Value: 'ops' }],
      }),
    );
    // Act
    const describe = async (filters: { Key: string; Option?: string; Values?: string[] }[]) =>
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters: filters }))).Parameters!.map(
        (p) => p.Name,
      );
    const byPrefix = await describe([{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/s'] }]);
    const byPath = await describe([{ Key: 'Path', Option: 'Recursive', Values: ['/app/sub'] }]);
    const byTag = await describe([{ Key: 'tag:team', Values: ['ops'] }]);
    const top = await describe([{ Key: 'Name', Values: ['top'] }]);
    const both = await awsErrorOf(
      ssm.send(
        new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['a'] }], ParameterFilters: [] }),
      ),
    );
    const label = await awsErrorOf(
      ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Label', Values: ['a'] }] })),
    );
    // Assess
    expect(byPrefix).toEqual(['/app/sub/c', '/app/sub/deep/d']);
    expect(byPath).toEqual(['/app/sub/c', '/app/sub/deep/d']);
    expect(byTag).toEqual(['/other/e']);
    expect(top).toEqual(['top']);
    expect(both.message).toBe('You can use either Filters or ParameterFilters in a single request.');
    expect(label.name).toBe('InvalidFilterKey');
  });

  test('DeleteParameters deletes the found ones and lists the others', async () => {
    // Act
    const deleted = await ssm.send(new DeleteParametersCommand({ Names: ['/app/a', 'top', '/gone'] }));
    const left = await ssm.send(new GetParametersByPathCommand({ Path: '/', Recursive: true }));
    // Assess
    expect(deleted).toMatchObject({ DeletedParameters: ['/app/a', 'top'], InvalidParameters: ['/gone'] });
    expect(left.Parameters!.map((p) => p.Name)).toEqual([
      '/app/b',
      '/app/sub/c',
      '/app/sub/deep/d',
      '/other/e',
    ]);
  });

  test('tags: add, list, remove; other resource types are refused', async () => {
    // Act
    const id = { ResourceType: 'Parameter' as const, ResourceId: '/app/a' };
    await ssm.send(
      new AddTagsToResourceCommand({
        ...id,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await ssm.send(new RemoveTagsFromResourceCommand({ ...id, TagKeys: ['a'] }));
    const listed = await ssm.send(new ListTagsForResourceCommand(id));
    const missing = await awsErrorOf(
      ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/none' })),
    );
    const document = await awsErrorOf(
      ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'd' })),
    );
    // Assess
    expect(listed.TagList).toEqual([{ Key: 'b', Value: '2' }]);
    expect(missing.name).toBe('InvalidResourceId');
    expect(document).toMatchObject({ name: 'InvalidResourceType' });
    expect(document.message).toContain('not supported by the local emulator');
  });
});

test('an SSM operation outside Parameter Store says it is not emulated', async () => {
  // Act
  const answer = await fetch(`${t.emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.ListDocuments',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm/aws4_request, Signature=0',
    },
    body: '{}',
  });
  // Assess
  expect(answer.status).toBe(400);
  expect(await answer.json()).toEqual({
    __type: 'com.amazon.coral.service#UnknownOperationException',
    message: 'The local emulator does not implement the SSM operation ListDocuments.',
  });
});
