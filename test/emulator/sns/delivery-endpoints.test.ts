import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
let topicArn: string;
beforeEach(async () => {
  t = await startSnsTestEmulator();
  topicArn = (await t.sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn as string;
});
afterEach(async () => {
  await t.stop();
});

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:on-alert';

describe('delivery to Lambda through the function hook', () => {
  it('invokes the function asynchronously with the SNS event shape', async () => {
    // Prepare
    const events: any[] = [];
    t.emulator.functions.register(FUNCTION_ARN, (event) => {
      events.push(event);
    });
    const { SubscriptionArn } = await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: FUNCTION_ARN }),
    );
    // Act
    const published = await t.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'disk full',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    await t.emulator.idle();
    // Assess
    expect(events).toHaveLength(1);
    const [record] = events[0].Records;
    expect(record).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: SubscriptionArn,
      Sns: {
        Type: 'Notification',
        MessageId: published.MessageId,
        TopicArn: topicArn,
        Subject: null,
        Message: 'disk full',
        Timestamp: '2026-01-01T00:00:00.000Z',
        SignatureVersion: '1',
        UnsubscribeUrl: `${t.emulator.endpoint}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`,
        MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
      },
    });
    expect(record.Sns.SigningCertUrl).toMatch(/^http/);
    expect(record.Sns.SigningCertURL).toBeUndefined();
  });

  it('records a handler failure without failing the publish', async () => {
    // Prepare
    t.emulator.functions.register(FUNCTION_ARN, async () => {
      throw new Error('boom');
    });
    await t.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: FUNCTION_ARN }),
    );
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' }));
    await t.emulator.idle();
    // Assess
    expect(t.emulator.functions.failedInvocations.map((f) => (f.error as Error).message)).toEqual(['boom']);
  });

  it('sends the message to the dead-letter queue when the function does not exist', async () => {
    // Prepare
    const dlq = await t.queue('alerts-dlq');
    await t.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'lambda',
        Endpoint: FUNCTION_ARN,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
      }),
    );
    // Act
    await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'no one home' }));
    const [message] = await t.received(dlq.url);
    // Assess
    expect(JSON.parse(message.Body as string).Message).toBe('no one home');
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A subscriber endpoint on loopback that answers with the statuses it is given, then 200. */
async function endpoint(): Promise<{
  url: string;
  requests: Received[];
  statuses: number[];
  close(): Promise<void>;
}> {
  const requests: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sns`,
    requests,
    statuses,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('delivery to HTTP endpoints', () => {
  it('confirms first, then delivers notifications with the x-amz-sns headers', async () => {
    // Prepare
    const target = await endpoint();
    try {
      const subscribed = await t.sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: target.url }),
      );
      await t.emulator.idle();
      const confirmation = JSON.parse(target.requests[0].body);
      const pending = await t.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      // Act
      await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'before confirmation' }));
      await t.emulator.idle();
      const confirmed = await fetch(confirmation.SubscribeURL);
      const confirmedXml = await confirmed.text();
      await t.sns.send(
        new PublishCommand({ TopicArn: topicArn, Message: 'after confirmation', Subject: 'Hi' }),
      );
      await t.emulator.idle();
      // Assess
      expect(subscribed.SubscriptionArn).toBe('pending confirmation');
      expect(pending.Subscriptions?.[0].SubscriptionArn).toBe('PendingConfirmation');
      expect(target.requests[0].headers).toMatchObject({
        'x-amz-sns-message-type': 'SubscriptionConfirmation',
        'x-amz-sns-topic-arn': topicArn,
        'content-type': 'text/plain; charset=UTF-8',
        'user-agent': 'Amazon Simple Notification Service Agent',
      });
      expect(confirmation).toMatchObject({
        Type: 'SubscriptionConfirmation',
        TopicArn: topicArn,
        Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      });
      expect(confirmation.Token).toMatch(/^[0-9a-f]{128}$/);
      expect(confirmed.status).toBe(200);
      const subscriptionArn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(confirmedXml)?.[1];
      expect(target.requests).toHaveLength(2);
      const notification = target.requests[1];
      expect(notification.headers).toMatchObject({
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-topic-arn': topicArn,
        'x-amz-sns-subscription-arn': subscriptionArn,
      });
      const body = JSON.parse(notification.body);
      expect(body).toMatchObject({ Type: 'Notification', Message: 'after confirmation', Subject: 'Hi' });
      expect(notification.headers['x-amz-sns-message-id']).toBe(body.MessageId);
    } finally {
      await target.close();
    }
  });

  it('retries a failing endpoint 3 times, 20 s apart, then dead-letters the message', async () => {
    // Prepare
    const target = await endpoint();
    const dlq = await t.queue('webhook-dlq');
    try {
      const { SubscriptionArn } = await t.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'http',
          Endpoint: target.url,
          ReturnSubscriptionArn: true,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
        }),
      );
      await t.emulator.idle();
      await fetch(JSON.parse(target.requests[0].body).SubscribeURL);
      const attributes = await t.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
      target.requests.length = 0;
      target.statuses.push(500, 503, 429, 500);
      // Act
      await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'try hard' }));
      const attempts: number[] = [];
      for (let i = 0; i < 5; i++) {
        await t.emulator.idle();
        attempts.push(target.requests.length);
        t.clock.advance(19_999);
        await t.emulator.idle();
        attempts.push(target.requests.length);
        t.clock.advance(1);
      }
      const dead = await t.received(dlq.url);
      // Assess
      expect(attributes.Attributes?.PendingConfirmation).toBe('false');
      expect(attempts).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 4, 4]);
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0].Body as string).Message).toBe('try hard');
    } finally {
      await target.close();
    }
  });

  it('sends the raw body with x-amz-sns-rawdelivery when RawMessageDelivery is on', async () => {
    // Prepare
    const target = await endpoint();
    try {
      await t.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'http',
          Endpoint: target.url,
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );
      await t.emulator.idle();
      await fetch(JSON.parse(target.requests[0].body).SubscribeURL);
      // Act
      await t.sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"raw":true}' }));
      await t.emulator.idle();
      // Assess
      expect(target.requests[1].body).toBe('{"raw":true}');
      expect(target.requests[1].headers['x-amz-sns-rawdelivery']).toBe('true');
    } finally {
      await target.close();
    }
  });
});
