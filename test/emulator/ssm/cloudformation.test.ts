/**
 * SSM in templates: AWS::SSM::Parameter created, updated and deleted by the deploy engine's handler, and
 * `{{resolve:ssm:…}}` dynamic references resolved from Parameter Store.
 */
import { GetParameterCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ManualClock } from '../../../lib/emulator/clock';
import { IntrinsicResolver } from '../../../lib/emulator/deploy/intrinsics';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import { parameterHandler } from '../../../lib/emulator/deploy/resources/ssm';
import type { DeployContext, ExistingResource } from '../../../lib/emulator/deploy/resources/types';
import type { CfnTemplate } from '../../../lib/emulator/deploy/template';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, TEST_CREDENTIALS } from '../../helpers/emulator';

let emu: Emulator;
let ssm: SSMClient;
beforeEach(async () => {
  emu = await startEmulator({ port: 0, clock: new ManualClock() });
  ssm = new SSMClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  ssm.destroy();
  await emu.stop();
});

test('a template creates named and unnamed parameters; Ref is the name, GetAtt gives Type and Value', async () => {
  // Prepare: the CDK bootstrap template's version parameter, and an unnamed StringList
  const template: CfnTemplate = {
    Resources: {
      CdkBootstrapVersion: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Type: 'String', Name: '/cdk-bootstrap/hnb659fds/version', Value: '30' },
      },
      Hosts: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Type: 'StringList', Value: 'a,b', Tags: { team: 'orders' } },
      },
    },
    Outputs: {
      VersionName: { Value: { Ref: 'CdkBootstrapVersion' } },
      HostsName: { Value: { Ref: 'Hosts' } },
      HostsValue: { Value: { 'Fn::GetAtt': ['Hosts', 'Value'] } },
    },
  };
  // Act
  const deployment = await deployStacks(emu, [
    { id: 'Ssm', stackName: 'ssm-stack', template, dependsOn: [], assets: new Map() },
  ]);
  const version = await ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }));
  const hostsName = deployment.output('Ssm', 'HostsName');
  const tags = await ssm.send(
    new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: hostsName }),
  );
  // Assess
  expect(deployment.output('Ssm', 'VersionName')).toBe('/cdk-bootstrap/hnb659fds/version');
  expect(version.Parameter).toMatchObject({ Value: '30', Type: 'String', Version: 1 });
  expect(hostsName).toMatch(/^CFN-Hosts-[A-Za-z0-9]{12}$/);
  expect(deployment.output('Ssm', 'HostsValue')).toBe('a,b');
  expect(tags.TagList).toEqual([{ Key: 'team', Value: 'orders' }]);
});

describe('the handler life cycle', () => {
  const context = () => ({ emulator: emu }) as unknown as DeployContext;
  const request = (properties: Record<string, unknown>) => ({
    stackName: 's',
    logicalId: 'P',
    type: 'AWS::SSM::Parameter',
    properties,
  });

  test('an update writes a new version in place and retags; delete removes it', async () => {
    // Prepare
    const first = request({ Name: '/p', Type: 'String', Value: 'one', Tags: { a: '1', b: '2' } });
    const created = await parameterHandler.create(first, context());
    const previous: ExistingResource = { ...first, ref: created.ref, attributes: {}, status: 'emulated' };
    // Act
    await parameterHandler.update!(
      request({ Name: '/p', Type: 'String', Value: 'two', Tags: { b: '3' } }),
      previous,
      context(),
    );
    const updated = await ssm.send(new GetParameterCommand({ Name: '/p' }));
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/p' }),
    );
    await parameterHandler.delete!(previous, context());
    await parameterHandler.delete!(previous, context());
    const gone = await awsErrorOf(ssm.send(new GetParameterCommand({ Name: '/p' })));
    // Assess
    expect(updated.Parameter).toMatchObject({ Value: 'two', Version: 2 });
    expect(tags.TagList).toEqual([{ Key: 'b', Value: '3' }]);
    expect(parameterHandler.replacedBy).toEqual(['Name']);
    expect(gone.name).toBe('ParameterNotFound');
  });

  test('SecureString is refused as CloudFormation refuses it, and AllowedPattern by name', async () => {
    // Act
    const secure = await Promise.resolve()
      .then(() => parameterHandler.create(request({ Type: 'SecureString', Value: 'x' }), context()))
      .catch((error: Error) => error.message);
    const pattern = await Promise.resolve()
      .then(() =>
        parameterHandler.create(
          request({ Name: '/q', Type: 'String', Value: 'x', AllowedPattern: '.*' }),
          context(),
        ),
      )
      .catch((error: Error) => error.message);
    // Assess
    expect(secure).toBe(
      'Properties validation failed for resource P: Type must be one of String, StringList, got SecureString',
    );
    expect(pattern).toBe('AllowedPattern is not supported by the local emulator.');
  });
});

describe('{{resolve:ssm:…}} dynamic references', () => {
  const resolver = () =>
    new IntrinsicResolver({
      template: { Resources: {} },
      pseudo: {
        region: 'us-east-1',
        accountId: '000000000000',
        partition: 'aws',
        urlSuffix: 'amazonaws.com',
        stackName: 's',
        stackId: 'id',
      },
      parameters: new Map([['Name', '/app/url']]),
      ref: () => undefined,
      getAtt: () => undefined,
      importValue: () => undefined,
      stackOutput: () => undefined,
      ssmParameter: (name, version) => emu.ssm.parameterValue(name, version)?.value,
    });

  beforeEach(() => {
    emu.ssm.putParameter({ Name: '/app/url', Value: 'http://one', Type: 'String' });
    emu.ssm.putParameter({ Name: '/app/url', Value: 'http://two', Type: 'String', Overwrite: true });
    emu.ssm.putParameter({ Name: '/app/key', Value: 'k3y', Type: 'SecureString' });
  });

  test('resolve to the latest version, a given version, a SecureString, and inside Fn::Join', () => {
    // Act
    const resolved = resolver().resolve({
      Latest: '{{resolve:ssm:/app/url}}',
      First: 'before {{resolve:ssm:/app/url:1}} after',
      Secure: '{{resolve:ssm-secure:/app/key}}',
      Joined: { 'Fn::Join': ['', ['{{resolve:ssm:', { Ref: 'Name' }, '}}']] },
      Other: '{{resolve:secretsmanager:MySecret}}',
    });
    // Assess
    expect(resolved).toEqual({
      Latest: 'http://two',
      First: 'before http://one after',
      Secure: 'k3y',
      Joined: 'http://two',
      Other: '{{resolve:secretsmanager:MySecret}}',
    });
  });

  test('a missing parameter or version fails the resource, naming it', () => {
    // Act
    const missing = () => resolver().resolve('{{resolve:ssm:/nope}}', 'Res');
    const version = () => resolver().resolve('{{resolve:ssm:/app/url:9}}', 'Res');
    const malformed = () => resolver().resolve('{{resolve:ssm:/app/url:x}}', 'Res');
    // Assess
    expect(missing).toThrow('Unable to fetch parameters [/nope] from parameter store for this account.');
    expect(version).toThrow('Unable to fetch parameters [/app/url:9] from parameter store for this account.');
    expect(malformed).toThrow('is not NAME or NAME:VERSION');
  });
});
