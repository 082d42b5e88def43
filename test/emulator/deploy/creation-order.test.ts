import { readCloudAssembly } from '../../../lib/emulator/deploy/cloud-assembly';
import { creationOrder, dependencies } from '../../../lib/emulator/deploy/creation-order';
import { physicalName } from '../../../lib/emulator/deploy/physical-name';
import { type CfnTemplate, TemplateError } from '../../../lib/emulator/deploy/template';
import { testAssembly, TEST_ASSEMBLY_TIMEOUT_MS } from '../../helpers/test-assembly';

const resources = (defs: Record<string, object>): CfnTemplate => ({
  Resources: Object.fromEntries(
    Object.entries(defs).map(([id, r]) => [id, { Type: 'AWS::SQS::Queue', ...r }]),
  ),
});

describe('creationOrder', () => {
  test('puts every resource after what it refers to or DependsOn, keeping template order otherwise', () => {
    const template = resources({
      Policy: { Properties: { Queues: [{ Ref: 'Queue' }] } },
      Standalone: {},
      Queue: { Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } } },
      Dlq: {},
      Waiter: { DependsOn: 'Policy' },
    });

    expect(creationOrder(template, 's')).toEqual(['Standalone', 'Dlq', 'Queue', 'Policy', 'Waiter']);
  });

  test('a cycle fails with the resources on it', () => {
    const template = resources({
      Free: {},
      A: { Properties: { X: { Ref: 'B' } } },
      B: { Properties: { X: { 'Fn::Sub': '${C.Arn}' } } },
      C: { DependsOn: ['A'] },
    });

    expect(() => creationOrder(template, 'shop')).toThrow(
      new TemplateError('shop', undefined, 'Circular dependency between resources: [A, B, C]'),
    );
  });

  test('DependsOn on a resource that does not exist fails naming both', () => {
    expect(() => creationOrder(resources({ A: { DependsOn: 'Ghost' } }), 'shop')).toThrow(
      'Stack shop, A: DependsOn names Ghost, which is not a resource of the template',
    );
  });

  test(
    "orders the app's own stacks with every dependency first",
    async () => {
      // the app as synthesized once for this run (test/global-setup.ts)
      for (const stack of readCloudAssembly(await testAssembly())) {
        const template = stack.template;
        const order = creationOrder(template, stack.stackName);
        const position = new Map(order.map((id, i) => [id, i]));

        expect(order.sort()).toEqual(Object.keys(template.Resources).sort());
        for (const [id, deps] of dependencies(template, stack.stackName)) {
          for (const dep of deps) expect((position.get(dep) ?? -1) < (position.get(id) ?? -1)).toBe(true);
        }
      }
    },
    TEST_ASSEMBLY_TIMEOUT_MS,
  );
});

describe('physicalName', () => {
  test('is Stack-LogicalId-SUFFIX, the same for the same stack and resource', () => {
    const name = physicalName('shop', 'OrdersQueue', { maxLength: 80 });

    expect(name).toMatch(/^shop-OrdersQueue-[A-Z0-9]{12}$/);
    expect(physicalName('shop', 'OrdersQueue', { maxLength: 80 })).toBe(name);
    expect(physicalName('shop', 'OtherQueue', { maxLength: 80 }).slice(-12)).not.toBe(name.slice(-12));
  });

  test('fits the limit by shortening the stack name and logical id, keeping suffix and .fifo', () => {
    const name = physicalName(
      'a-very-long-stack-name-for-a-workshop',
      'AnEquallyLongLogicalIdForTheQueue0123',
      {
        maxLength: 50,
        suffix: '.fifo',
      },
    );

    expect(name.length).toBe(50);
    expect(name).toMatch(/^a-very-long-sta-AnEquallyLongLog-[A-Z0-9]{12}\.fifo$/);
  });

  test('is lowercase for S3 buckets', () => {
    expect(physicalName('Shop', 'OrderBucket', { maxLength: 63, lowercase: true })).toMatch(
      /^shop-orderbucket-[a-z0-9]{12}$/,
    );
  });
});
