import {
  IntrinsicResolver,
  referencedResources,
  type IntrinsicContext,
} from '../../../lib/emulator/deploy/intrinsics';
import { type CfnTemplate, TemplateError } from '../../../lib/emulator/deploy/template';
import { type AssemblyStack, readCloudAssembly } from '../../../lib/emulator/deploy/cloud-assembly';
import { testAssembly, TEST_ASSEMBLY_TIMEOUT_MS } from '../../helpers/test-assembly';

const PSEUDO = {
  region: 'eu-west-1',
  accountId: '000000000000',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  stackName: 'shop',
  stackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/shop/1',
};

function resolver(
  template: Partial<CfnTemplate> = {},
  parameters: Record<string, unknown> = {},
  exports: Record<string, unknown> = {},
) {
  const context: IntrinsicContext = {
    template: {
      Resources: { Queue: { Type: 'AWS::SQS::Queue' }, Missing: { Type: 'AWS::SNS::Topic' } },
      ...template,
    },
    pseudo: PSEUDO,
    parameters: new Map(Object.entries(parameters)),
    ref: (id) => (id === 'Missing' ? undefined : `https://queue/${id}`),
    getAtt: (id, attribute) => (attribute === 'Nope' ? undefined : `${id}.${attribute}`),
    importValue: (name) => exports[name],
    stackOutput: (stack, output) => exports[`${stack}.${output}`],
  };
  return new IntrinsicResolver(context);
}

describe('IntrinsicResolver', () => {
  test.each<[string, unknown, unknown]>([
    ['Ref of a resource', { Ref: 'Queue' }, 'https://queue/Queue'],
    [
      'pseudo parameters',
      {
        'Fn::Join': [
          ':',
          [
            { Ref: 'AWS::Partition' },
            { Ref: 'AWS::Region' },
            { Ref: 'AWS::AccountId' },
            { Ref: 'AWS::StackName' },
            { Ref: 'AWS::URLSuffix' },
          ],
        ],
      },
      'aws:eu-west-1:000000000000:shop:amazonaws.com',
    ],
    ['Ref AWS::StackId', { Ref: 'AWS::StackId' }, PSEUDO.stackId],
    ['Ref AWS::NotificationARNs: none locally', { Ref: 'AWS::NotificationARNs' }, []],
    ['GetAtt as a list', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'Queue.Arn'],
    [
      'GetAtt as a string, nested attribute',
      { 'Fn::GetAtt': 'Queue.Endpoint.Address' },
      'Queue.Endpoint.Address',
    ],
    [
      'Join of nested intrinsics',
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs']] },
      'arn:aws:sqs',
    ],
    [
      'Sub with resources, attributes and pseudo parameters',
      { 'Fn::Sub': '${Queue}|${Queue.Arn}|${AWS::Region}' },
      'https://queue/Queue|Queue.Arn|eu-west-1',
    ],
    [
      'Sub with its own variables',
      { 'Fn::Sub': ['${Name}-${AWS::AccountId}', { Name: { Ref: 'Queue' } }] },
      'https://queue/Queue-000000000000',
    ],
    ['Sub escaping ${!Literal}', { 'Fn::Sub': 'a ${!Literal} b' }, 'a ${Literal} b'],
    ['Select from a Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
    ['GetAZs', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, 'eu-west-1a'],
    ['Base64', { 'Fn::Base64': 'hi' }, 'aGk='],
    [
      'a plain object with intrinsics inside',
      { a: [{ Ref: 'Queue' }, 1], b: { c: true } },
      { a: ['https://queue/Queue', 1], b: { c: true } },
    ],
  ])('%s', (_name, value, expected) => {
    expect(resolver().resolve(value)).toEqual(expected);
  });

  test('Ref of a parameter gives its value', () => {
    expect(
      resolver({}, { BootstrapVersion: '/cdk-bootstrap/hnb659fds/version' }).resolve({
        Ref: 'BootstrapVersion',
      }),
    ).toBe('/cdk-bootstrap/hnb659fds/version');
  });

  test('Fn::If picks a branch by its condition; AWS::NoValue removes the property or element', () => {
    const r = resolver(
      {
        Conditions: {
          IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
          NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        },
      },
      { Stage: 'dev' },
    );

    expect(r.resolve({ Name: { 'Fn::If': ['IsProd', 'big', { Ref: 'AWS::NoValue' }] }, Size: 1 })).toEqual({
      Size: 1,
    });
    expect(r.resolve([{ 'Fn::If': ['NotProd', 'x', 'y'] }, { Ref: 'AWS::NoValue' }])).toEqual(['x']);
    expect(r.condition('NotProd')).toBe(true);
  });

  test('Fn::And and Fn::Or combine conditions', () => {
    const r = resolver({
      Conditions: {
        T: { 'Fn::Equals': ['a', 'a'] },
        F: { 'Fn::Equals': ['a', 'b'] },
        Both: { 'Fn::And': [{ Condition: 'T' }, { Condition: 'F' }] },
        Either: { 'Fn::Or': [{ Condition: 'T' }, { Condition: 'F' }] },
      },
    });

    expect([r.condition('Both'), r.condition('Either')]).toEqual([false, true]);
  });

  test('Fn::ImportValue reads another stack export', () => {
    expect(
      resolver({}, {}, { 'shared-QueueArn': 'arn:aws:sqs:eu-west-1:000000000000:q' }).resolve({
        'Fn::ImportValue': 'shared-QueueArn',
      }),
    ).toBe('arn:aws:sqs:eu-west-1:000000000000:q');
  });

  test("Fn::GetStackOutput reads another stack's output (CDK's weak cross-stack references)", () => {
    const r = resolver({}, {}, { 'shared.QueueArn': 'arn:aws:sqs:eu-west-1:000000000000:q' });

    expect(
      r.resolve({
        'Fn::GetStackOutput': { StackName: 'shared', Region: { Ref: 'AWS::Region' }, OutputName: 'QueueArn' },
      }),
    ).toBe('arn:aws:sqs:eu-west-1:000000000000:q');
    expect(() =>
      r.resolve({ 'Fn::GetStackOutput': { StackName: 'shared', OutputName: 'Nope' } }, 'X'),
    ).toThrow('Stack shop, X: Stack shared has no output named Nope');
  });

  test('Fn::FindInMap reads the Mappings section', () => {
    const r = resolver({ Mappings: { Sizes: { 'eu-west-1': { Memory: 512 } } } });

    expect(r.resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'AWS::Region' }, 'Memory'] })).toBe(512);
  });

  test.each<[string, unknown, string]>([
    [
      'a dangling Ref',
      { Ref: 'Ghost' },
      'Stack shop, Consumer: Unresolved resource dependencies [Ghost] in the Resources block of the template',
    ],
    ['a dangling GetAtt', { 'Fn::GetAtt': ['Ghost', 'Arn'] }, 'Unresolved resource dependencies [Ghost]'],
    ['a dangling ${X} in Sub', { 'Fn::Sub': '${Ghost}' }, 'Unresolved resource dependencies [Ghost]'],
    ['an unknown attribute', { 'Fn::GetAtt': ['Queue', 'Nope'] }, 'Fn::GetAtt Queue.Nope: no such attribute'],
    ['a resource not created', { Ref: 'Missing' }, 'Ref Missing: that resource was not created'],
    [
      'an unknown intrinsic',
      { 'Fn::Transmogrify': [] },
      'the intrinsic function Fn::Transmogrify is not supported locally',
    ],
    ['a missing export', { 'Fn::ImportValue': 'nothing' }, 'No export named nothing found'],
    ['an unknown condition', { 'Fn::If': ['Nope', 1, 2] }, 'Unresolved condition dependency Nope'],
    ['a bad Select index', { 'Fn::Select': [3, ['a']] }, 'Fn::Select index 3 is out of bounds'],
    ['a malformed Join', { 'Fn::Join': ['-'] }, 'Fn::Join takes a list of 2 values'],
  ])('%s fails naming the stack and resource', (_name, value, message) => {
    expect(() => resolver().resolve(value, 'Consumer')).toThrow(TemplateError);
    expect(() => resolver().resolve(value, 'Consumer')).toThrow(message);
  });
});

describe('referencedResources', () => {
  const ids = new Set(['A', 'B', 'C', 'D']);

  test('finds Ref, GetAtt, Sub variables and both Fn::If branches, not parameters or Sub-local names', () => {
    const value = {
      x: { Ref: 'A' },
      y: { 'Fn::GetAtt': 'B.Arn' },
      z: { 'Fn::Sub': ['${C.Arn}/${Local}/${AWS::Region}', { Local: 'v' }] },
      w: { 'Fn::If': ['Cond', { Ref: 'D' }, { Ref: 'Param' }] },
    };

    expect([...referencedResources(value, ids)].sort()).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe("the app's own templates", () => {
  let stacks: AssemblyStack[] = [];
  // the app as synthesized once for this run (test/global-setup.ts)
  beforeAll(async () => {
    stacks = readCloudAssembly(await testAssembly());
  }, TEST_ASSEMBLY_TIMEOUT_MS);

  test('every stack resolves with no unsupported intrinsic', () => {
    expect(stacks.map((s) => s.id)).toEqual([
      'QueueBasics',
      'Pipeline',
      'FanOut',
      'WorkerFleet',
      'Streams',
      'RequestResponse',
    ]);
    for (const stack of stacks) {
      // Prepare
      const template = stack.template;
      const r = new IntrinsicResolver({
        template,
        pseudo: { ...PSEUDO, stackName: stack.stackName },
        parameters: new Map(Object.entries(template.Parameters ?? {}).map(([k, p]) => [k, p.Default])),
        ref: (id) => `ref:${id}`,
        getAtt: (id, attribute) => `${id}.${attribute}`,
        importValue: () => undefined,
        stackOutput: () => undefined,
      });

      // Act + Assess
      for (const [id, resource] of Object.entries(template.Resources)) {
        expect(JSON.stringify(r.resolve(resource.Properties ?? {}, id))).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
      }
      for (const [id, output] of Object.entries(template.Outputs ?? {}))
        expect(typeof r.resolve(output.Value, id)).toBe('string');
    }
  });
});
