import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetBucketAnalyticsConfigurationCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import type { LoggedCall, RequestLogMode } from '../../../lib/emulator/protocol/request-log';
import { sqsClientFor, TEST_CREDENTIALS } from '../../helpers/emulator';
import { rawRequest, signedFor } from '../../helpers/raw-http';

interface Logged {
  readonly line: string;
  readonly call: LoggedCall;
}

async function emulatorLogging(mode: RequestLogMode): Promise<{ emulator: Emulator; logged: Logged[] }> {
  const logged: Logged[] = [];
  const emulator = await startEmulator({
    port: 0,
    clock: new ManualClock(),
    requestLog: mode,
    onRequestLog: (line, call) => logged.push({ line, call }),
  });
  return { emulator, logged };
}

const clientOptions = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: TEST_CREDENTIALS,
  maxAttempts: 1,
});

describe('the request log', () => {
  describe('--log requests', () => {
    let emulator: Emulator;
    let logged: Logged[];
    beforeAll(async () => ({ emulator, logged } = await emulatorLogging('requests')));
    afterAll(() => emulator.stop());
    beforeEach(() => (logged.length = 0));

    it('prints a line per call: time, service, operation, resource, status and milliseconds', async () => {
      // Prepare
      const sqs = sqsClientFor(emulator.endpoint);
      // Act
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'o-1' }));
      sqs.destroy();
      // Assess
      expect(logged.map((l) => l.line)).toEqual([
        expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} sqs CreateQueue orders 200 \d+ms$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} sqs SendMessage orders 200 \d+ms$/),
      ]);
    });

    it('names the resource of query and REST calls, and the error code of a failure', async () => {
      // Prepare
      const sns = new SNSClient(clientOptions(emulator.endpoint));
      const s3 = new S3Client({ ...clientOptions(emulator.endpoint), forcePathStyle: true });
      const lambda = new LambdaClient(clientOptions(emulator.endpoint));
      // Act
      await sns.send(new CreateTopicCommand({ Name: 'quotes' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'orders/o-1.json', Body: '{}' }));
      await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'orders/missing.json' })).catch(() => {});
      await lambda.send(new InvokeCommand({ FunctionName: 'no-such-function' })).catch(() => {});
      sns.destroy();
      s3.destroy();
      lambda.destroy();
      // Assess
      const calls = logged.map(({ call }) => [
        call.service,
        call.operation,
        call.resource,
        call.status,
        call.errorCode,
      ]);
      expect(calls).toEqual([
        ['sns', 'CreateTopic', 'quotes', 200, undefined],
        ['s3', 'CreateBucket', 'uploads', 200, undefined],
        ['s3', 'PutObject', 'uploads/orders/o-1.json', 200, undefined],
        ['s3', 'GetObject', 'uploads/orders/missing.json', 404, 'NoSuchKey'],
        ['lambda', 'Invoke', 'no-such-function', 404, 'ResourceNotFoundException'],
      ]);
      expect(logged[3].line).toMatch(/ s3 GetObject uploads\/orders\/missing\.json 404 NoSuchKey \d+ms$/);
    });

    it('shows control characters of a client-chosen name escaped, never raw on the terminal', async () => {
      // Prepare
      const s3 = new S3Client({ ...clientOptions(emulator.endpoint), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'odd-keys' }));
      logged.length = 0;
      // Act
      await s3.send(
        new PutObjectCommand({ Bucket: 'odd-keys', Key: 'red\x1b[31mtext\nnext line', Body: 'x' }),
      );
      s3.destroy();
      // Assess
      expect(logged[0].call.resource).toBe('odd-keys/red\\x1b[31mtext\\x0anext\\x20line');
      expect([...logged[0].line].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    });
  });

  describe('by default (failures)', () => {
    let emulator: Emulator;
    let logged: Logged[];
    beforeAll(async () => ({ emulator, logged } = await emulatorLogging('failures')));
    afterAll(() => emulator.stop());
    beforeEach(() => (logged.length = 0));

    it('stays quiet about calls that are answered, errors included', async () => {
      // Prepare
      const sqs = sqsClientFor(emulator.endpoint);
      // Act
      await sqs.send(new CreateQueueCommand({ QueueName: 'quiet' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: 'missing', MessageBody: 'x' })).catch(() => {});
      sqs.destroy();
      // Assess
      expect(logged).toEqual([]);
    });

    it('logs an S3 operation that answers 501, naming it', async () => {
      // Prepare
      const s3 = new S3Client({ ...clientOptions(emulator.endpoint), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'analytics' }));
      // Act
      const error = await s3
        .send(new GetBucketAnalyticsConfigurationCommand({ Bucket: 'analytics', Id: 'a' }))
        .catch((e: { $metadata: { httpStatusCode: number } }) => e);
      s3.destroy();
      // Assess
      expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(501);
      expect(logged.map((l) => l.line)).toEqual([
        expect.stringMatching(/ s3 GetBucketAnalyticsConfiguration analytics 501 NotImplemented \d+ms$/),
      ]);
    });

    it('logs an operation of a served service it does not implement, and a service it does not serve', async () => {
      // Act
      const unimplemented = await rawRequest(`${emulator.endpoint}/`, {
        headers: { ...signedFor('autoscaling'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=DescribeAccountLimits&Version=2011-01-01',
      });
      const unserved = await rawRequest(`${emulator.endpoint}/`, {
        headers: {
          ...signedFor('dynamodb'),
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
        },
        body: '{}',
      });
      // Assess
      expect([unimplemented.status, unserved.status]).toEqual([400, 400]);
      expect(logged.map(({ call }) => [call.service, call.operation, call.status, call.errorCode])).toEqual([
        ['autoscaling', 'DescribeAccountLimits', 400, 'InvalidAction'],
        ['dynamodb', 'ListTables', 400, 'UnsupportedService'],
      ]);
    });
  });
});
