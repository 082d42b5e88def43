/**
 * Firehose through @aws-sdk/client-firehose over HTTP (AWS JSON 1.1): delivery streams into S3 buffered by the hints
 * on the manual clock, AWS's prefix and object names, the Lambda transform (Ok, Dropped, ProcessingFailed and a
 * throwing function), tags, and AWS's errors and limits.
 */
import {
  CreateDeliveryStreamCommand,
  type CreateDeliveryStreamCommandInput,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand,
} from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { awsErrorOf, type TestEmulator } from '../../helpers/emulator';
import { type FirehoseTestEmulator, startFirehoseTestEmulator } from './firehose-fixture';

const ROLE = 'arn:aws:iam::000000000000:role/firehose-delivery';
const BUCKET = 'clicks';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const MINUTE = 60_000;

/** The transform: upper-cases `ok` records, drops `drop`, fails `fail`, throws on `throw`. */
const TRANSFORM = `
exports.handler = async (event) => {
  const texts = event.records.map((r) => Buffer.from(r.data, 'base64').toString());
  if (texts.includes('throw')) throw new Error('transform broke');
  return {
    records: event.records.map((r, i) => {
      const text = texts[i];
      if (text.startsWith('drop')) return { recordId: r.recordId, result: 'Dropped' };
      if (text.startsWith('fail')) return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
      const meta = { stream: event.deliveryStreamArn, region: event.region, at: r.approximateArrivalTimestamp };
      return { recordId: r.recordId, result: 'Ok', data: Buffer.from(text.toUpperCase() + ' ' + JSON.stringify(meta) + '\\n').toString('base64') };
    }),
  };
};`;

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-firehose-'));
let t: TestEmulator;
let firehose: FirehoseClient;
let s3: S3Client;
let functionArn: string;

beforeAll(() => writeFileSync(path.join(root, 'index.js'), TRANSFORM));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let fixture: FirehoseTestEmulator;
beforeEach(async () => {
  fixture = await startFirehoseTestEmulator(BUCKET);
  ({ t, firehose, s3 } = fixture);
});
afterEach(() => fixture.stop());

function create(
  name: string,
  destination: Partial<CreateDeliveryStreamCommandInput['ExtendedS3DestinationConfiguration']> = {},
) {
  return firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: BUCKET_ARN, ...destination },
    }),
  );
}

async function withTransform(): Promise<void> {
  functionArn = await t.emulator.lambda
    .createFunction({
      functionName: 'transform',
      codeDirectory: root,
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    })
    .then(() => t.emulator.lambda.arnOf('transform'));
}

function lambdaProcessor(extra: Record<string, string> = {}) {
  return {
    Enabled: true,
    Processors: [
      {
        Type: 'Lambda' as const,
        Parameters: [
          { ParameterName: 'LambdaArn' as const, ParameterValue: functionArn },
          ...Object.entries(extra).map(([ParameterName, ParameterValue]) => ({
            ParameterName: ParameterName as 'BufferIntervalInSeconds',
            ParameterValue,
          })),
        ],
      },
    ],
  };
}

async function objects(prefix = ''): Promise<Array<{ key: string; body: Buffer }>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      return { key: Key as string, body: Buffer.from(await object.Body!.transformToByteArray()) };
    }),
  );
}

async function advance(ms: number): Promise<void> {
  t.clock.advance(ms);
  await t.emulator.idle();
}

const text = (s: string) => new TextEncoder().encode(s);

describe('CreateDeliveryStream and DescribeDeliveryStream', () => {
  test('a DirectPut stream to S3 is ACTIVE with AWS defaults (5 MiB, 300 s) described in both S3 shapes', async () => {
    // Act
    const created = await create('clicks', { Prefix: 'raw/' });
    const { DeliveryStreamDescription: d } = await firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }),
    );
    // Assess
    expect(created.DeliveryStreamARN).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks');
    expect(d).toMatchObject({
      DeliveryStreamName: 'clicks',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      HasMoreDestinations: false,
      DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
    });
    expect(d?.CreateTimestamp?.getTime()).toBe(t.clock.now());
    expect(d?.Destinations).toEqual([
      expect.objectContaining({
        DestinationId: 'destinationId-000000000001',
        S3DestinationDescription: expect.objectContaining({ BucketARN: BUCKET_ARN, Prefix: 'raw/' }),
        ExtendedS3DestinationDescription: expect.objectContaining({
          RoleARN: ROLE,
          BucketARN: BUCKET_ARN,
          BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
          CompressionFormat: 'UNCOMPRESSED',
          EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
        }),
      }),
    ]);
  });

  test('a duplicate name is ResourceInUseException, a missing one ResourceNotFoundException', async () => {
    // Prepare
    await create('clicks');
    // Act
    const duplicate = await awsErrorOf(create('clicks'));
    const missing = await awsErrorOf(
      firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'nope' })),
    );
    // Assess
    expect(duplicate).toMatchObject({
      name: 'ResourceInUseException',
      status: 400,
      message: 'Firehose clicks under accountId 000000000000 already exists',
    });
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Firehose nope under account 000000000000 not found.',
    });
  });

  test('hints out of range are one ValidationException naming each, and nothing is created', async () => {
    // Act
    const error = await awsErrorOf(
      create('bad', { BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 901 } }),
    );
    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    // Assess
    expect(error).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(error.message).toMatch(/^2 validation errors detected: /);
    expect(error.message).toContain(
      "Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs'",
    );
    expect(error.message).toContain(
      "Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds'",
    );
    expect(listed.DeliveryStreamNames).toEqual([]);
  });

  test('what the emulator does not deliver is refused by name, never dropped', async () => {
    // Act
    const errors = await Promise.all([
      awsErrorOf(create('a', { CompressionFormat: 'Snappy' })),
      awsErrorOf(create('b', { DynamicPartitioningConfiguration: { Enabled: true } })),
      awsErrorOf(
        firehose.send(
          new CreateDeliveryStreamCommand({
            DeliveryStreamName: 'c',
            HttpEndpointDestinationConfiguration: {
              EndpointConfiguration: { Url: 'https://example.com' },
              S3Configuration: { RoleARN: ROLE, BucketARN: BUCKET_ARN },
            },
          }),
        ),
      ),
      awsErrorOf(create('d', { Prefix: 'year=!{timestamp:yyyy}/' })),
    ]);
    // Assess
    expect(errors.map((e) => [e.name, e.message])).toEqual([
      [
        'InvalidArgumentException',
        expect.stringContaining('CompressionFormat Snappy is not supported by the local emulator'),
      ],
      [
        'InvalidArgumentException',
        'DynamicPartitioningConfiguration is not supported by the local emulator.',
      ],
      [
        'InvalidArgumentException',
        'HttpEndpointDestinationConfiguration is not supported by the local emulator.',
      ],
      [
        'InvalidArgumentException',
        'ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.',
      ],
    ]);
  });
});

describe('delivery to S3', () => {
  test('records wait for the interval hint, then land as one object under YYYY/MM/DD/HH/ named after the stream', async () => {
    // Prepare
    await create('clicks', { Prefix: 'raw/', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } });
    t.clock.advanceTo(Date.UTC(2026, 2, 4, 5, 6, 7));
    const first = await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: text('one\n') } }),
    );
    const batch = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'clicks',
        Records: [{ Data: text('two\n') }, { Data: text('three\n') }],
      }),
    );

    // Act
    await advance(59_000);
    const early = await objects();
    await advance(1_000);
    const late = await objects();

    // Assess
    expect(first.RecordId).toEqual(expect.any(String));
    expect(first.Encrypted).toBe(false);
    expect(batch).toMatchObject({
      FailedPutCount: 0,
      RequestResponses: [{ RecordId: expect.any(String) }, { RecordId: expect.any(String) }],
    });
    expect(early).toEqual([]);
    expect(late).toHaveLength(1);
    expect(late[0].key).toMatch(
      /^raw\/2026\/03\/04\/05\/clicks-1-2026-03-04-05-06-07-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(late[0].body.toString()).toBe('one\ntwo\nthree\n');
  });

  test('the size hint delivers at once; GZIP objects end in .gz; a timestamp expression replaces the default prefix', async () => {
    // Prepare
    await create('big', {
      Prefix: 'by-day/!{timestamp:yyyy-MM-dd}/',
      ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
      CompressionFormat: 'GZIP',
    });
    const half = Buffer.alloc(512 * 1024, 'a');
    // Act
    await firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'big', Records: [{ Data: half }, { Data: half }] }),
    );
    await t.emulator.idle();
    const written = await objects();
    // Assess
    expect(written).toHaveLength(1);
    expect(written[0].key).toMatch(/^by-day\/2026-01-01\/big-1-2026-01-01-00-00-00-.{36}\.gz$/);
    expect(gunzipSync(written[0].body).equals(Buffer.concat([half, half]))).toBe(true);
  });

  test('the transform sees AWS event; Ok records are written transformed, Dropped ones vanish, ProcessingFailed ones go to processing-failed/', async () => {
    // Prepare
    await withTransform();
    await create('transformed', {
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
      ProcessingConfiguration: lambdaProcessor({ BufferIntervalInSeconds: '0' }),
    });
    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'transformed',
        Records: ['page /a', 'drop me', 'fail me', 'page /b'].map((s) => ({ Data: text(s) })),
      }),
    );
    await t.emulator.idle();

    // Act
    const beforeInterval = await objects('20');
    await advance(MINUTE);
    const delivered = await objects('2026/');
    const failed = await objects('processing-failed/');

    // Assess
    expect(beforeInterval).toEqual([]);
    expect(delivered).toHaveLength(1);
    const lines = delivered[0].body.toString().trim().split('\n');
    const meta = JSON.stringify({
      stream: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/transformed',
      region: 'us-east-1',
      at: t.clock.now() - MINUTE,
    });
    expect(lines).toEqual([`PAGE /A ${meta}`, `PAGE /B ${meta}`]);
    expect(failed).toHaveLength(1);
    expect(failed[0].key).toMatch(/^processing-failed\/2026\/01\/01\/00\/transformed-1-2026-01-01-00-00-00-/);
    expect(JSON.parse(failed[0].body.toString())).toEqual({
      attemptsMade: 1,
      arrivalTimestamp: t.clock.now() - MINUTE,
      errorCode: 'Lambda.ProcessingFailedStatus',
      errorMessage: expect.any(String),
      attemptEndingTimestamp: t.clock.now() - MINUTE,
      rawData: Buffer.from('fail me').toString('base64'),
      lambdaArn: functionArn,
    });
  });

  test('a function that throws is retried NumberOfRetries times, then every record goes to the error output prefix', async () => {
    // Prepare
    await withTransform();
    await create('broken', {
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
      ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/',
      ProcessingConfiguration: lambdaProcessor({ BufferIntervalInSeconds: '0', NumberOfRetries: '2' }),
    });
    // Act
    await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'broken', Record: { Data: text('throw') } }),
    );
    await t.emulator.idle();
    const failed = await objects();
    // Assess
    expect(failed.map((o) => o.key)).toEqual([
      expect.stringMatching(/^errors\/processing-failed\/2026\/broken-1-/),
    ]);
    expect(JSON.parse(failed[0].body.toString())).toMatchObject({
      attemptsMade: 3,
      errorCode: 'Lambda.FunctionError',
      rawData: Buffer.from('throw').toString('base64'),
    });
  });

  test('a deleted delivery stream drops what it buffered', async () => {
    // Prepare
    await create('gone', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } });
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'gone', Record: { Data: text('x') } }));
    // Act
    await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'gone' }));
    await advance(MINUTE);
    const error = await awsErrorOf(
      firehose.send(new PutRecordCommand({ DeliveryStreamName: 'gone', Record: { Data: text('x') } })),
    );
    // Assess
    expect(await objects()).toEqual([]);
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('PutRecord and PutRecordBatch limits', () => {
  test('a record over 1,000 KiB, an empty batch and 501 records are refused; nothing is buffered', async () => {
    // Prepare
    await create('limits');
    // Act
    const errors = await Promise.all([
      awsErrorOf(
        firehose.send(
          new PutRecordCommand({ DeliveryStreamName: 'limits', Record: { Data: Buffer.alloc(1_024_001) } }),
        ),
      ),
      awsErrorOf(firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'limits', Records: [] }))),
      awsErrorOf(
        firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: 'limits',
            Records: Array.from({ length: 501 }, () => ({ Data: text('x') })),
          }),
        ),
      ),
      awsErrorOf(
        firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: 'limits',
            Records: Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000_000) })),
          }),
        ),
      ),
    ]);
    // Assess
    expect(errors.map((e) => e.name)).toEqual([
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'InvalidArgumentException',
    ]);
    expect(errors[0].message).toContain('Member must have length less than or equal to 1024000');
    expect(t.emulator.firehose.bufferedRecords('limits')).toBe(0);
  });
});

describe('ListDeliveryStreams and tags', () => {
  test('names in order, paged; tags added, listed and removed', async () => {
    // Prepare
    for (const name of ['c', 'a', 'b']) await create(name);
    // Act
    const page = await firehose.send(new ListDeliveryStreamsCommand({ Limit: 2 }));
    const rest = await firehose.send(
      new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: 'b' }),
    );
    await firehose.send(
      new TagDeliveryStreamCommand({
        DeliveryStreamName: 'a',
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'app', Value: 'clicks' },
        ],
      }),
    );
    await firehose.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: 'a', TagKeys: ['team'] }));
    const tags = await firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: 'a' }));
    // Assess
    expect(page).toMatchObject({ DeliveryStreamNames: ['a', 'b'], HasMoreDeliveryStreams: true });
    expect(rest).toMatchObject({ DeliveryStreamNames: ['c'], HasMoreDeliveryStreams: false });
    expect(tags).toMatchObject({ Tags: [{ Key: 'app', Value: 'clicks' }], HasMoreTags: false });
  });
});
