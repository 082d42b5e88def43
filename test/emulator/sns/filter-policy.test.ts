import {
  CreateTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import {
  type FilterPolicyScope,
  matchesAttributes,
  matchesBody,
  parseFilterPolicy,
} from '../../../lib/emulator/sns/filter-policy';
import { awsErrorOf } from '../../helpers/emulator';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

describe('the insurance-quote example: one topic, filtered fan-out', () => {
  let t: SnsTestEmulator;
  let topicArn: string;
  const queues: Record<string, { url: string; arn: string }> = {};
  beforeAll(async () => {
    t = await startSnsTestEmulator();
    topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'insurance-quote-requests' })))
      .TopicArn as string;
    const policies: Record<string, object | undefined> = {
      'vehicle-insurance-sales': { insurance_type: ['car', 'boat'] },
      'life-insurance-sales': { insurance_type: ['life'] },
      'quote-analytics': undefined,
    };
    for (const [name, policy] of Object.entries(policies)) {
      queues[name] = await t.queue(name);
      await t.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queues[name].arn,
          Attributes: policy ? { FilterPolicy: JSON.stringify(policy) } : undefined,
        }),
      );
    }
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(async () => {
    t.clock.advance(61_000); // AWS allows one PurgeQueue per minute
    for (const q of Object.values(queues)) await t.sqs.send(new PurgeQueueCommand({ QueueUrl: q.url }));
  });

  it.each([
    ['car', ['vehicle-insurance-sales', 'quote-analytics']],
    ['boat', ['vehicle-insurance-sales', 'quote-analytics']],
    ['life', ['life-insurance-sales', 'quote-analytics']],
    ['home', ['quote-analytics']],
    [undefined, ['quote-analytics']],
  ])('a %s quote reaches %j', async (insuranceType, expected) => {
    // Act
    await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify({ quote: 'q-1', insurance_type: insuranceType }),
        MessageAttributes: insuranceType
          ? { insurance_type: { DataType: 'String', StringValue: insuranceType } }
          : undefined,
      }),
    );
    const reached: string[] = [];
    for (const [name, q] of Object.entries(queues))
      if ((await t.received(q.url)).length > 0) reached.push(name);
    // Assess
    expect(reached.sort()).toEqual([...expected].sort());
  });

  it('filters on the message body with FilterPolicyScope MessageBody', async () => {
    // Prepare
    const bodyQueue = await t.queue('body-scoped-life');
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: bodyQueue.arn,
        Attributes: {
          FilterPolicyScope: 'MessageBody',
          FilterPolicy: JSON.stringify({
            insurance_type: ['life'],
            customer: { age: [{ numeric: ['>=', 18] }] },
          }),
        },
      }),
    );
    // Act
    for (const [type, age] of [
      ['life', 40],
      ['life', 12],
      ['car', 40],
    ] as const) {
      await t.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify({ insurance_type: type, customer: { age } }),
        }),
      );
    }
    const messages = await t.received(bodyQueue.url);
    // Assess
    expect(messages.map((m) => JSON.parse(JSON.parse(m.Body as string).Message))).toEqual([
      { insurance_type: 'life', customer: { age: 40 } },
    ]);
  });
});

type Attributes = Record<string, { DataType: string; StringValue: string }>;
const str = (v: string) => ({ DataType: 'String', StringValue: v });
const num = (v: string) => ({ DataType: 'Number', StringValue: v });
const arr = (v: unknown[]) => ({ DataType: 'String.Array', StringValue: JSON.stringify(v) });

describe('operators on message attributes', () => {
  it.each<[string, object, Attributes, boolean]>([
    ['exact string', { a: ['x'] }, { a: str('x') }, true],
    ['exact string, other value', { a: ['x'] }, { a: str('y') }, false],
    ['exact string, missing key', { a: ['x'] }, {}, false],
    ['exact number', { n: [100] }, { n: num('100.0') }, true],
    ['exact number does not match a String', { n: [100] }, { n: str('100') }, false],
    ['prefix', { a: [{ prefix: 'eu-' }] }, { a: str('eu-west-1') }, true],
    ['prefix, no match', { a: [{ prefix: 'eu-' }] }, { a: str('us-east-1') }, false],
    ['suffix', { a: [{ suffix: '.png' }] }, { a: str('cat.png') }, true],
    ['equals-ignore-case', { a: [{ 'equals-ignore-case': 'CAR' }] }, { a: str('Car') }, true],
    ['anything-but value', { a: [{ 'anything-but': 'car' }] }, { a: str('boat') }, true],
    ['anything-but value, same', { a: [{ 'anything-but': 'car' }] }, { a: str('car') }, false],
    ['anything-but list', { a: [{ 'anything-but': ['car', 'boat'] }] }, { a: str('boat') }, false],
    ['anything-but number list', { n: [{ 'anything-but': [1, 2] }] }, { n: num('3') }, true],
    ['anything-but prefix', { a: [{ 'anything-but': { prefix: 'test-' } }] }, { a: str('test-1') }, false],
    [
      'anything-but prefix, other',
      { a: [{ 'anything-but': { prefix: 'test-' } }] },
      { a: str('prod-1') },
      true,
    ],
    ['anything-but, missing key', { a: [{ 'anything-but': 'car' }] }, {}, false],
    ['numeric =', { n: [{ numeric: ['=', 5] }] }, { n: num('5') }, true],
    ['numeric <', { n: [{ numeric: ['<', 5] }] }, { n: num('5') }, false],
    ['numeric <=', { n: [{ numeric: ['<=', 5] }] }, { n: num('5') }, true],
    ['numeric >', { n: [{ numeric: ['>', 5] }] }, { n: num('5.01') }, true],
    ['numeric >=', { n: [{ numeric: ['>=', 5] }] }, { n: num('4.99') }, false],
    ['numeric range inside', { n: [{ numeric: ['>', 0, '<=', 150] }] }, { n: num('150') }, true],
    ['numeric range outside', { n: [{ numeric: ['>', 0, '<=', 150] }] }, { n: num('0') }, false],
    ['numeric on a String attribute', { n: [{ numeric: ['>', 0] }] }, { n: str('5') }, false],
    ['exists true', { a: [{ exists: true }] }, { a: str('any') }, true],
    ['exists true, missing', { a: [{ exists: true }] }, {}, false],
    ['exists false, missing', { a: [{ exists: false }] }, {}, true],
    ['exists false, present', { a: [{ exists: false }] }, { a: str('any') }, false],
    ['cidr v4', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: str('10.0.0.255') }, true],
    ['cidr v4, outside', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: str('10.0.1.0') }, false],
    ['cidr v6', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: str('2001:db8::1') }, true],
    ['String.Array, one element matches', { a: ['red'] }, { a: arr(['blue', 'red']) }, true],
    ['String.Array, none matches', { a: ['red'] }, { a: arr(['blue']) }, false],
    ['String.Array of numbers', { a: [{ numeric: ['>', 10] }] }, { a: arr([1, 20]) }, true],
    ['several keys: all must match', { a: ['x'], b: ['y'] }, { a: str('x'), b: str('z') }, false],
    ['several keys: all match', { a: ['x'], b: ['y'] }, { a: str('x'), b: str('y') }, true],
    ['$or, second branch', { $or: [{ a: ['x'] }, { b: ['y'] }] }, { b: str('y') }, true],
    ['$or, no branch', { $or: [{ a: ['x'] }, { b: ['y'] }] }, { a: str('y') }, false],
    [
      '$or with a shared key',
      { c: ['1'], $or: [{ a: ['x'] }, { b: ['y'] }] },
      { c: str('1'), a: str('x') },
      true,
    ],
  ])('%s', (_case, policy, attributes, expected) => {
    // Prepare
    const compiled = parseFilterPolicy(JSON.stringify(policy), 'MessageAttributes', 'Subscribe');
    // Act
    const result = matchesAttributes(compiled, attributes);
    // Assess
    expect(result).toBe(expected);
  });
});

describe('operators on the message body', () => {
  it.each<[string, object, unknown, boolean]>([
    ['nested key', { order: { region: ['eu'] } }, { order: { region: 'eu' } }, true],
    ['nested key, other value', { order: { region: ['eu'] } }, { order: { region: 'us' } }, false],
    ['array in the body', { tags: ['b'] }, { tags: ['a', 'b'] }, true],
    [
      'array of objects',
      { items: { sku: [{ prefix: 'X' }] } },
      { items: [{ sku: 'A1' }, { sku: 'X9' }] },
      true,
    ],
    ['booleans and null', { flag: [true], gone: [null] }, { flag: true, gone: null }, true],
    ['exists false on a nested key', { a: { b: [{ exists: false }] } }, { a: { c: 1 } }, true],
    ['numeric on a JSON number', { price: [{ numeric: ['<', 10] }] }, { price: 9.5 }, true],
    ['numeric on a JSON string', { price: [{ numeric: ['<', 10] }] }, { price: '9.5' }, false],
    ['$or nested', { $or: [{ a: { b: ['1'] } }, { c: ['2'] }] }, { a: { b: '1' } }, true],
    ['a body that is not JSON', { a: ['x'] }, 'plain text', false],
    ['a body that is a JSON array', { a: ['x'] }, [{ a: 'x' }], false],
  ])('%s', (_case, policy, body, expected) => {
    // Prepare
    const compiled = parseFilterPolicy(JSON.stringify(policy), 'MessageBody', 'Subscribe');
    // Act
    const result = matchesBody(compiled, typeof body === 'string' ? body : JSON.stringify(body));
    // Assess
    expect(result).toBe(expected);
  });
});

describe('validation with AWS messages', () => {
  const sixKeys = { a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'], f: ['1'] };
  const tooComplex = {
    a: ['1', '2', '3', '4', '5', '6'],
    b: ['1', '2', '3', '4', '5'],
    c: ['1', '2', '3', '4', '5', '6'],
  };
  it.each<[string, object | string, FilterPolicyScope, string]>([
    [
      'more than 5 keys',
      sixKeys,
      'MessageAttributes',
      'FilterPolicy: Filter policy can not have more than 5 keys',
    ],
    ['over 150 combinations', tooComplex, 'MessageAttributes', 'FilterPolicy: Filter policy is too complex'],
    ['an empty array', { a: [] }, 'MessageAttributes', 'FilterPolicy: Empty arrays are not allowed'],
    ['a bare value', { a: 'x' }, 'MessageAttributes', 'FilterPolicy: "a" must be an object or an array'],
    [
      'nesting on attributes',
      { a: { b: ['x'] } },
      'MessageAttributes',
      'Filter policy scope MessageAttributes does not support nested filter policy',
    ],
    [
      'an unknown operator',
      { a: [{ regex: 'x' }] },
      'MessageBody',
      'FilterPolicy: Unrecognized match type regex',
    ],
    [
      'two operators in one',
      { a: [{ prefix: 'x', suffix: 'y' }] },
      'MessageBody',
      'FilterPolicy: Only one key allowed in match expression',
    ],
    [
      'a non-string prefix',
      { a: [{ prefix: 1 }] },
      'MessageBody',
      'FilterPolicy: prefix match pattern must be a string',
    ],
    [
      'exists not boolean',
      { a: [{ exists: 'yes' }] },
      'MessageBody',
      'FilterPolicy: exists match pattern must be either true or false.',
    ],
    [
      'a bad numeric operator',
      { a: [{ numeric: ['!=', 1] }] },
      'MessageBody',
      'FilterPolicy: Unrecognized numeric range operator: !=',
    ],
    [
      'a non-numeric bound',
      { a: [{ numeric: ['=', 'x'] }] },
      'MessageBody',
      'FilterPolicy: Value of equals must be numeric',
    ],
    [
      'an inverted range',
      { a: [{ numeric: ['>', 10, '<', 5] }] },
      'MessageBody',
      'FilterPolicy: Bottom must be less than top',
    ],
    [
      'a range starting with <',
      { a: [{ numeric: ['<', 10, '<', 5] }] },
      'MessageBody',
      'FilterPolicy: Too many elements in numeric expression',
    ],
    [
      'a CIDR without a mask',
      { a: [{ cidr: '10.0.0.1' }] },
      'MessageBody',
      "FilterPolicy: Malformed CIDR, one '/' required",
    ],
    [
      'a CIDR with a bad address',
      { a: [{ cidr: '10.0.0.300/8' }] },
      'MessageBody',
      'FilterPolicy: Nonstandard IP address: 10.0.0.300',
    ],
    [
      'an object as a value',
      { a: [{ 'anything-but': { wildcard: 'x' } }] },
      'MessageBody',
      'FilterPolicy: Unsupported anything-but pattern: wildcard',
    ],
  ])('rejects %s', (_case, policy, scope, reason) => {
    // Act
    const act = () => parseFilterPolicy(JSON.stringify(policy), scope, 'SetSubscriptionAttributes');
    // Assess
    expect(act).toThrow(`Invalid parameter: ${reason}`);
  });

  it('words the error for Subscribe and for SetSubscriptionAttributes as AWS does', async () => {
    // Prepare
    const t = await startSnsTestEmulator();
    try {
      const topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'validated' }))).TopicArn as string;
      const queue = await t.queue('validated-copy');
      const policy = JSON.stringify({ a: [], b: ['1'] });
      const ok = await t.sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn }),
      );
      // Act
      const onSubscribe = await awsErrorOf(
        t.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sqs',
            Endpoint: queue.arn,
            Attributes: { FilterPolicy: policy },
          }),
        ),
      );
      const onSet = await awsErrorOf(
        t.sns.send(
          new SetSubscriptionAttributesCommand({
            SubscriptionArn: ok.SubscriptionArn,
            AttributeName: 'FilterPolicy',
            AttributeValue: policy,
          }),
        ),
      );
      // Assess
      expect(onSubscribe).toMatchObject({
        name: 'InvalidParameterException',
        status: 400,
        message: 'Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed',
      });
      expect(onSet.message).toBe('Invalid parameter: FilterPolicy: Empty arrays are not allowed');
    } finally {
      await t.stop();
    }
  });

  it('counts nested keys by depth, as AWS documents (3 x 4 x 2 x 3 = 72 is allowed)', () => {
    // Prepare
    const policy = {
      key_a: { key_b: { key_c: ['1', '2', '3', '4'] } },
      key_d: { key_e: ['1', '2', '3'] },
    };
    // Act
    const act = () => parseFilterPolicy(JSON.stringify(policy), 'MessageBody', 'Subscribe');
    // Assess
    expect(act).not.toThrow();
  });
});
