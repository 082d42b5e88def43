/**
 * Hostile single requests to S3: each gets S3's 4xx within a second, the emulator keeps serving, and the bucket
 * it names is left as it was.
 */
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { awsErrorOf } from '../../helpers/emulator';
import { type RawResponse, rawRequest, signedFor } from '../../helpers/raw-http';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeEach(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'sturdy' }));
});
afterEach(async () => {
  await t.stop();
});

function raw(
  method: string,
  path: string,
  body: string | Buffer = '',
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(`${t.emulator.endpoint}${path}`, {
    method,
    headers: { ...signedFor('s3'), ...headers },
    body,
  });
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const messageOf = (xml: string) => /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];

/** `<QueueConfiguration>` elements for one queue, each on its own key prefix (so none overlap). */
function queueConfigurations(count: number, arn: string): string {
  let xml = '';
  for (let i = 0; i < count; i++) {
    xml +=
      `<QueueConfiguration><Queue>${arn}</Queue><Event>s3:ObjectCreated:Put</Event>` +
      `<Filter><S3Key><FilterRule><Name>prefix</Name><Value>p${i}/</Value></FilterRule></S3Key></Filter></QueueConfiguration>`;
  }
  return xml;
}

describe('percent-encoding', () => {
  it('a copy source that does not decode is InvalidArgument "Invalid copy source encoding."', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'sturdy', Key: 'source', Body: 'v' }));

    // Act
    const error = await awsErrorOf(
      t.s3.send(new CopyObjectCommand({ Bucket: 'sturdy', Key: 'copy', CopySource: 'sturdy/%E0%A4%A' })),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'InvalidArgument',
      status: 400,
      message: 'Invalid copy source encoding.',
    });
    const { KeyCount } = await t.s3.send(new ListObjectsV2Command({ Bucket: 'sturdy' }));
    expect(KeyCount).toBe(1);
  });
});

describe('counts are checked against S3 limits before use', () => {
  it('max-keys above 32 bits is InvalidArgument', async () => {
    // Act
    const response = await raw('GET', '/sturdy?list-type=2&max-keys=2147483648');

    // Assess
    expect([response.status, codeOf(response.body), messageOf(response.body)]).toEqual([
      400,
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
    ]);
  });

  it('max-buckets is 1 to 10,000, and pages by continuation token', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'another' }));

    // Act
    const zero = await raw('GET', '/?max-buckets=0');
    const huge = await raw('GET', '/?max-buckets=10001');
    const first = await t.s3.send(new ListBucketsCommand({ MaxBuckets: 1 }));
    const second = await t.s3.send(
      new ListBucketsCommand({ MaxBuckets: 1, ContinuationToken: first.ContinuationToken }),
    );

    // Assess
    for (const response of [zero, huge]) {
      expect([response.status, codeOf(response.body), messageOf(response.body)]).toEqual([
        400,
        'InvalidArgument',
        'Argument max-buckets must be an integer between 1 and 10000.',
      ]);
    }
    expect(first.Buckets?.map((b) => b.Name)).toEqual(['another']);
    expect(second.Buckets?.map((b) => b.Name)).toEqual(['sturdy']);
    expect(second.ContinuationToken).toBeUndefined();
  });

  it('more than 100 notification configurations are refused quickly (every pair was compared)', async () => {
    // Prepare
    await t.sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    const xml = `<NotificationConfiguration>${queueConfigurations(101, 'arn:aws:sqs:us-east-1:000000000000:events')}</NotificationConfiguration>`;

    // Act
    const { value: response, ms } = await timed(raw('PUT', '/sturdy?notification', xml));

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'InvalidArgument']);
    expect(messageOf(response.body)).toBe(
      'The emulator accepts at most 100 notification configurations per bucket; this one has 101.',
    );
    expect(ms).toBeLessThan(1000);
    const configuration = await t.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: 'sturdy' }),
    );
    expect(configuration.QueueConfigurations).toBeUndefined();
  });

  it('an XML body of 2,000,000 elements is MalformedXML before it is parsed', async () => {
    // Prepare
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: 'sturdy', Key: 'big' }));
    const xml = `<CompleteMultipartUpload>${'<Part/>'.repeat(2_000_000)}</CompleteMultipartUpload>`;

    // Act
    const { value: response, ms } = await timed(
      raw('POST', `/sturdy/big?uploadId=${encodeURIComponent(UploadId as string)}`, xml),
    );

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'MalformedXML']);
    expect(ms).toBeLessThan(1000);
  });

  it('a bucket policy over 20 KB (without whitespace) is MalformedPolicy; whitespace does not count', async () => {
    // Prepare
    const statement = (i: number) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::sturdy/p${i}/*`,
    });
    const large = JSON.stringify({ Statement: Array.from({ length: 250 }, (_, i) => statement(i)) });
    const pretty = JSON.stringify(
      { Statement: Array.from({ length: 150 }, (_, i) => statement(i)) },
      null,
      8,
    );

    // Act
    const error = await awsErrorOf(
      t.s3.send(new PutBucketPolicyCommand({ Bucket: 'sturdy', Policy: large })),
    );
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: 'sturdy', Policy: pretty }));

    // Assess
    expect(large.length).toBeGreaterThan(20 * 1024);
    expect(error).toMatchObject({
      name: 'MalformedPolicy',
      status: 400,
      message: 'Policy exceeds the maximum allowed document size.',
    });
    expect(pretty.length).toBeGreaterThan(20 * 1024);
    const { Policy } = await t.s3.send(new GetBucketPolicyCommand({ Bucket: 'sturdy' }));
    expect(Policy).toBe(pretty);
  });

  it('a bucket policy of 1 MiB nested brackets is refused in under a second', async () => {
    // Prepare
    const policy = `{"Statement":[${'['.repeat(1 << 19)}${']'.repeat(1 << 19)}]}`;

    // Act
    const { value: response, ms } = await timed(raw('PUT', '/sturdy?policy', policy));

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'MalformedPolicy']);
    expect(ms).toBeLessThan(1000);
  });
});

describe('regular expressions on 1 MiB values answer in linear time', () => {
  it('a notification ARN of 1 MiB is InvalidArgument "The ARN could not be parsed"', async () => {
    // Prepare
    const arn = `arn:aws:sqs:us-east-1:000000000000:${'a'.repeat(1 << 20)}!`;
    const xml = `<NotificationConfiguration>${queueConfigurations(1, arn)}</NotificationConfiguration>`;

    // Act
    const { value: response, ms } = await timed(raw('PUT', '/sturdy?notification', xml));

    // Assess
    expect([response.status, codeOf(response.body), messageOf(response.body)]).toEqual([
      400,
      'InvalidArgument',
      'The ARN could not be parsed',
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it('a part number of 1 MiB of digits is MalformedXML', async () => {
    // Prepare
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: 'sturdy', Key: 'big' }));
    const xml = `<CompleteMultipartUpload><Part><PartNumber>${'1'.repeat(1 << 20)}</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`;

    // Act
    const { value: response, ms } = await timed(
      raw('POST', `/sturdy/big?uploadId=${encodeURIComponent(UploadId as string)}`, xml),
    );

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'MalformedXML']);
    expect(ms).toBeLessThan(1000);
  });

  it('an aws-chunked size line of 1 MiB is InvalidRequest', async () => {
    // Prepare
    const body = `${'f'.repeat(1 << 20)}\r\nabc\r\n0\r\n\r\n`;

    // Act
    const { value: response, ms } = await timed(
      raw('PUT', '/sturdy/chunked', body, {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
      }),
    );

    // Assess
    expect([response.status, codeOf(response.body)]).toEqual([400, 'InvalidRequest']);
    expect(ms).toBeLessThan(1000);
  });

  it('a DeleteObjects key of 1 MiB is refused for that key alone', async () => {
    // Prepare
    const xml = `<Delete><Object><Key>${'k'.repeat(1 << 20)}</Key></Object></Delete>`;

    // Act
    const { value: response, ms } = await timed(
      raw('POST', '/sturdy?delete', xml, {
        'content-md5': createHash('md5').update(xml).digest('base64'),
      }),
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toContain('<Code>InvalidArgument</Code><Message>Invalid key</Message>');
    expect(ms).toBeLessThan(1000);
  });
});
