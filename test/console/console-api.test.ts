/**
 * The console's server side over HTTP, without a browser: its page and assets (with a Content-Security-Policy), its
 * JSON API (the filter tester, purge refused by a queue policy, publish and their AWS errors), the guard against
 * forged requests, and the live events as server-sent events.
 */
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import {
  CreateStreamCommand,
  KinesisClient,
  PutRecordCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { metricQueries } from '../../lib/emulator/console/dashboards';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator';

describe('the console server', () => {
  let t: TestEmulator;
  let sns: SNSClient;
  const url = (path: string) => `${t.emulator.endpoint}/_console/${path}`;
  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(url(path), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await startTestEmulator();
    sns = new SNSClient({
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    sns.destroy();
    await t.stop();
  });

  test('serves its page with a policy that lets no inline or foreign script run, and its bundled script', async () => {
    const page = await fetch(url(''));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<script src="/_console/console.js" defer></script>');

    const script = await fetch(url('console.js'));
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    // bundled: no import of a module the browser would have to fetch from elsewhere
    const code = await script.text();
    expect(code).not.toMatch(/\bimport\s*\(|from\s*["']http/);
    expect(code.length).toBeLessThan(100_000);
  });

  test('refuses an action that is not JSON (a cross-site form), an unknown path, and another site', async () => {
    const form = await post('api/queues/purge', { QueueUrl: 'x' }, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({
      error: { code: 'UnsupportedMediaType', message: expect.any(String) },
    });

    const unknown = await fetch(url('api/nothing-here'));
    expect(unknown.status).toBe(404);

    const foreign = await fetch(url('api/overview'), { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
  });

  test('the filter tester: which subscriptions a message reaches, and for the others the failing key', async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'quotes' }));
    const subscribe = async (queue: string, policy?: object, scope?: string) => {
      const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: queue }));
      const { Attributes } = await t.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: Attributes?.QueueArn,
          Attributes: {
            ...(policy ? { FilterPolicy: JSON.stringify(policy) } : {}),
            ...(scope ? { FilterPolicyScope: scope } : {}),
          },
        }),
      );
    };
    await subscribe('vehicle', { type: ['car', 'boat'] });
    await subscribe('life', { type: ['life'], region: ['eu'] });
    await subscribe('all');
    await subscribe('big', { coverage: { amount: [{ numeric: ['>=', 100_000] }] } }, 'MessageBody');

    // Act
    const response = await post('api/topics/test-filter', {
      TopicArn,
      Message: '{"coverage":{"amount":5000}}',
      MessageAttributes: { type: { DataType: 'String', StringValue: 'car' } },
    });

    // Assess
    expect(response.status).toBe(200);
    const { verdicts } = (await response.json()) as {
      verdicts: Array<{ endpoint: string; reached: boolean; reasons: string[] }>;
    };
    const byQueue = Object.fromEntries(
      verdicts.map((v) => [v.endpoint.slice(v.endpoint.lastIndexOf(':') + 1), v]),
    );
    expect(byQueue.vehicle).toMatchObject({ reached: true, reasons: [] });
    expect(byQueue.all).toMatchObject({ reached: true, reasons: [] });
    expect(byQueue.life).toMatchObject({
      reached: false,
      reasons: [
        'attribute "type" is String "car", the policy wants ["life"]',
        'attribute "region" is missing (the policy wants ["eu"])',
      ],
    });
    expect(byQueue.big).toMatchObject({
      reached: false,
      reasons: ['body key "coverage" does not match {"amount":[{"numeric":[">=",100000]}]}'],
    });
  });

  test("publish goes through SNS's own validation: its errors are AWS's", async () => {
    const missing = await post('api/topics/publish', {
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:no-such-topic',
      Message: 'hello',
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'NotFound', message: expect.stringMatching(/Topic/) },
    });

    const untyped = await post('api/topics/publish', { TopicArn: 42 });
    expect(untyped.status).toBe(400);
  });

  test("purge: refused while the queue's policy denies sqs:PurgeQueue to everyone; allowed otherwise", async () => {
    // Prepare
    const { QueueUrl } = await t.sqs.send(
      new CreateQueueCommand({ QueueName: 'orders', tags: { stage: 'prod' } }),
    );
    await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'keep' }));
    const deny = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyPurge',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sqs:PurgeQueue',
          Resource: '*',
        },
      ],
    };
    await t.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(deny) } }),
    );

    // Act
    const refused = await post('api/queues/purge', { QueueUrl });
    const page = (await (await fetch(url('api/queue/orders'))).json()) as { purgeRefusal?: string };
    await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: '' } }));
    const purged = await post('api/queues/purge', { QueueUrl });

    // Assess
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: {
        code: 'AccessDenied',
        message: expect.stringMatching(/denies sqs:PurgeQueue to every principal \(stage prod/),
      },
    });
    expect(page.purgeRefusal).toMatch(/denies sqs:PurgeQueue/);
    expect(purged.status).toBe(200);
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  test('live events arrive as server-sent events, the recent ones first', async () => {
    // Prepare: one event before the stream opens, one after
    const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'live' }));
    await fetch(url('api/overview')); // the first visit starts the console's observing
    await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'before' }));
    const aborter = new AbortController();
    const response = await fetch(url('api/events'), { signal: aborter.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended: ${text}`);
        text += Buffer.from(value).toString('utf8');
      }
    };

    // Act
    await until(/"kind":"message-sent","queueName":"live"/);
    await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after' }));
    await until(/"queueName":"live"[^]*"queueName":"live"/);
    aborter.abort();

    // Assess
    const events = text.split('\n\n').filter((block) => block.includes('event: activity'));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatch(/^id: \d+\nevent: activity\ndata: \{"at":\d+,"kind":"message-sent"/);
  });

  test('streams: shards after a SplitShard with their parent and records, the mappings and delivery streams reading them', async () => {
    // Prepare
    const config = {
      endpoint: t.emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      // the emulator speaks HTTP/1.1; the Kinesis and Firehose SDKs default to HTTP/2
      requestHandler: new NodeHttpHandler(),
    };
    const kinesis = new KinesisClient(config);
    const lambda = new LambdaClient(config);
    const firehose = new FirehoseClient(config);
    const code = mkdtempSync(path.join(tmpdir(), 'decoupled-console-streams-'));
    writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => null;');
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
      const { SequenceNumber } = await kinesis.send(
        new PutRecordCommand({ StreamName: 'clicks', PartitionKey: 'k', Data: Buffer.from('one') }),
      );
      await kinesis.send(
        new SplitShardCommand({
          StreamName: 'clicks',
          ShardToSplit: 'shardId-000000000000',
          NewStartingHashKey: (1n << 127n).toString(),
        }),
      );
      await t.emulator.lambda.createFunction({
        functionName: 'click-reader',
        codeDirectory: code,
        handler: 'index.handler',
        runtime: 'nodejs24.x',
      });
      const streamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'click-reader',
          EventSourceArn: streamArn,
          StartingPosition: 'LATEST',
          BatchSize: 50,
          Enabled: false,
        }),
      );
      const role = 'arn:aws:iam::000000000000:role/firehose';
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'clicks-archive',
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: { KinesisStreamARN: streamArn, RoleARN: role },
          ExtendedS3DestinationConfiguration: {
            RoleARN: role,
            BucketARN: 'arn:aws:s3:::archive',
            Prefix: 'clicks/',
          },
        }),
      );

      // Act
      const response = await fetch(url('api/streams'));

      // Assert
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        streams: Array<Record<string, unknown> & { shards: Array<Record<string, unknown>> }>;
        deliveryStreams: unknown[];
      };
      const clicks = body.streams.find((s) => s.name === 'clicks');
      expect(clicks).toMatchObject({
        arn: streamArn,
        status: 'ACTIVE',
        mode: 'PROVISIONED',
        retentionHours: 24,
        encryption: 'NONE',
        openShardCount: 2,
        eventSourceMappings: [
          { functionName: 'click-reader', state: 'Disabled', batchSize: 50, startingPosition: 'LATEST' },
        ],
        deliveryStreams: ['clicks-archive'],
      });
      const half = (1n << 127n).toString();
      expect(clicks?.shards).toEqual([
        {
          shardId: 'shardId-000000000000',
          startingHashKey: '0',
          endingHashKey: ((1n << 128n) - 1n).toString(),
          open: false,
          records: 1,
          latestSequenceNumber: SequenceNumber,
        },
        {
          shardId: 'shardId-000000000001',
          parentShardId: 'shardId-000000000000',
          startingHashKey: '0',
          endingHashKey: ((1n << 127n) - 1n).toString(),
          open: true,
          records: 0,
        },
        {
          shardId: 'shardId-000000000002',
          parentShardId: 'shardId-000000000000',
          startingHashKey: half,
          endingHashKey: ((1n << 128n) - 1n).toString(),
          open: true,
          records: 0,
        },
      ]);
      expect(body.deliveryStreams).toContainEqual({
        name: 'clicks-archive',
        type: 'KinesisStreamAsSource',
        sourceStreamArn: streamArn,
        bucket: 'archive',
        prefix: 'clicks/',
        bufferedRecords: 0,
      });
    } finally {
      kinesis.destroy();
      lambda.destroy();
      firehose.destroy();
      rmSync(code, { recursive: true, force: true });
    }
  });

  test("a dashboard widget's metrics rows become GetMetricData queries, with the '.' shorthand", () => {
    expect(
      metricQueries(
        [
          [
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            'QueueName',
            'jobs',
            { label: 'waiting', stat: 'Maximum', period: 60 },
          ],
          ['.', 'ApproximateNumberOfMessagesNotVisible', '.', '.'],
          [{ expression: 'm0 + m1', label: 'total', id: 'total' }],
        ],
        300,
      ),
    ).toEqual([
      {
        Id: 'm0',
        Label: 'waiting',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [{ Name: 'QueueName', Value: 'jobs' }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      },
      {
        Id: 'm1',
        Label: 'ApproximateNumberOfMessagesNotVisible',
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesNotVisible',
            Dimensions: [{ Name: 'QueueName', Value: 'jobs' }],
          },
          Period: 300,
          Stat: 'Average',
        },
      },
      { Id: 'total', Expression: 'm0 + m1', Label: 'total', ReturnData: true },
    ]);
  });
});
