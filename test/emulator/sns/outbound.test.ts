/**
 * HTTP/S subscriptions deliver only to loopback unless the emulator is started with extra hosts: Subscribe
 * refuses other endpoints with InvalidParameter, and each POST goes to an address checked right before it.
 */
import { hostname } from 'node:os';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { ManualClock } from '../../../lib/emulator/clock';
import { startEmulator } from '../../../lib/emulator/emulator';
import { chooseAddress, isLoopback, OutboundPolicy } from '../../../lib/emulator/sns/outbound';
import { awsErrorOf } from '../../helpers/emulator';
import { httpEndpoint } from './http-endpoint';
import { snsClientFor, type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
let topicArn: string;
beforeEach(async () => {
  t = await startSnsTestEmulator();
  topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'webhooks' }))).TopicArn as string;
});
afterEach(async () => {
  await t.stop();
});

const refusal = (host: string) =>
  `Invalid parameter: Endpoint Reason: The emulator delivers HTTP/S notifications only to loopback addresses ` +
  `(127.0.0.0/8, ::1, localhost), not to ${host}. Start it with --allow-outbound ${host} to allow that host.`;

describe('Subscribe', () => {
  it.each<[string, string, string]>([
    ['a private address', 'http', 'http://10.0.0.1/hook'],
    ['a public name', 'https', 'https://example.com/hook'],
    ['the cloud metadata service', 'http', 'http://169.254.169.254/latest/meta-data/'],
    ['the unspecified address', 'http', 'http://0.0.0.0:8080/'],
    ['an IPv4-mapped private address', 'http', 'http://[::ffff:10.0.0.1]/'],
    ['a link-local IPv6 address', 'http', 'http://[fe80::1]/'],
    ['a name that only starts like localhost', 'http', 'http://localhost.example.com/'],
    ['a name that spells a loopback address', 'http', 'http://127.0.0.1.nip.io/'],
  ])('refuses %s with InvalidParameter, before anything is sent', async (_case, protocol, url) => {
    // Act
    const error = await awsErrorOf(
      t.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: url })),
    );
    await t.emulator.idle();
    const { Subscriptions } = await t.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    // Assess
    expect(error).toMatchObject({ name: 'InvalidParameterException', code: 'InvalidParameter', status: 400 });
    expect(error.message).toBe(refusal(OutboundPolicy.hostOf(url) as string));
    expect(Subscriptions).toEqual([]);
  });

  it.each([
    'http://127.0.0.1:9/',
    'http://127.200.1.1:9/',
    'http://localhost:9/',
    'http://LOCALHOST.:9/',
    'http://[::1]:9/',
    'http://[::ffff:127.0.0.1]:9/',
    'http://2130706433:9/',
  ])('accepts the loopback endpoint %s', async (url) => {
    // Act
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: url }),
    );
    // Assess
    expect(SubscriptionArn).toBe('pending confirmation');
  });

  it('delivers to localhost over the address it resolved to, keeping the name in the Host header', async () => {
    // Prepare
    const target = await httpEndpoint(t.clock);
    try {
      // Act
      await t.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'http',
          Endpoint: `http://localhost:${target.port}/sns`,
        }),
      );
      await t.emulator.idle();
      // Assess
      expect(target.requests).toHaveLength(1);
      expect(target.requests[0].headers.host).toBe(`localhost:${target.port}`);
      expect(target.requests[0].headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
    } finally {
      await target.close();
    }
  });
});

describe('allowOutbound (the CLI flag --allow-outbound HOST)', () => {
  it('lets Subscribe name an allowed host', async () => {
    // Prepare: this machine's name is not loopback by name, so only the allow-list admits it
    const host = hostname().toLowerCase();
    const clock = new ManualClock();
    const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', allowOutbound: [host] });
    const sns = snsClientFor(emulator.endpoint);
    try {
      const allowedTopic = (await sns.send(new CreateTopicCommand({ Name: 'allowed' }))).TopicArn;
      // Act
      const allowed = await sns.send(
        new SubscribeCommand({ TopicArn: allowedTopic, Protocol: 'http', Endpoint: `http://${host}:9/hook` }),
      );
      const other = await awsErrorOf(
        sns.send(
          new SubscribeCommand({ TopicArn: allowedTopic, Protocol: 'http', Endpoint: 'http://10.0.0.1/' }),
        ),
      );
      const withoutTheFlag = await awsErrorOf(
        t.sns.send(
          new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `http://${host}:9/hook` }),
        ),
      );
      // Assess
      expect(allowed.SubscriptionArn).toBe('pending confirmation');
      expect(other.message).toBe(refusal('10.0.0.1'));
      expect(withoutTheFlag.message).toBe(refusal(host));
    } finally {
      sns.destroy();
      await emulator.stop();
    }
  });

  it.each<[string, string, boolean]>([
    ['an allowed address', 'http://203.0.113.9:8080/hook', true],
    ['the same address spelled in hexadecimal', 'http://0xcb.0.113.9/', true],
    ['an allowed name, any case, with a final dot', 'https://HOOKS.Example.org./x', true],
    ['an allowed IPv6 address', 'http://[2001:DB8:0::1]/', true],
    ['another address', 'http://203.0.113.10/', false],
    ['a subdomain of an allowed name', 'https://evil.hooks.example.org/', false],
  ])('compares hosts in one spelling: %s', (_case, url, expected) => {
    // Prepare
    const policy = new OutboundPolicy(['203.0.113.9', 'hooks.example.org', '2001:db8::1']);
    // Act
    const permitted = policy.permits(url);
    // Assess
    expect(permitted).toBe(expected);
  });
});

describe('the check before each POST', () => {
  it('resolves localhost now and pins the connection to a loopback address', async () => {
    // Act
    const verdict = await new OutboundPolicy().check('http://localhost:8080/hook');
    // Assess
    expect(verdict.kind).toBe('connect');
    expect(verdict.kind === 'connect' && isLoopback(verdict.pinned?.address ?? '')).toBe(true);
  });

  it('refuses an address that is not loopback, and connects to an allowed host as it resolves', async () => {
    // Act
    const refused = await new OutboundPolicy().check('http://10.0.0.1/hook');
    const allowed = await new OutboundPolicy(['10.0.0.1']).check('http://10.0.0.1/hook');
    // Assess
    expect(refused).toEqual({ kind: 'refused', reason: '10.0.0.1 is not a loopback address' });
    expect(allowed).toEqual({ kind: 'connect' });
  });

  it.each<[string, { address: string; family: number }[], string | undefined]>([
    ['a name resolving elsewhere only', [{ address: '10.1.2.3', family: 4 }], undefined],
    [
      'a name resolving elsewhere and to loopback',
      [
        { address: '10.1.2.3', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
      '127.0.0.1',
    ],
    ['IPv6 loopback', [{ address: '::1', family: 6 }], '::1'],
    ['IPv4-mapped loopback', [{ address: '::ffff:127.0.0.1', family: 6 }], '::ffff:127.0.0.1'],
    ['an IPv6 address elsewhere', [{ address: '2001:db8::1', family: 6 }], undefined],
  ])('connects, for %s, only to a loopback address', (_case, addresses, expected) => {
    // Act
    const chosen = chooseAddress(addresses);
    // Assess
    expect(chosen?.address).toBe(expected);
  });
});
