/**
 * Kinesis's CBOR form (`application/x-amz-cbor-1.1`, what the AWS SDK for Java and the KCL send), encoded and
 * decoded by the third-party `cbor` package over raw HTTP: blobs as byte strings, timestamps as tag 1 around
 * epoch milliseconds, errors as CBOR `__type`/`message`; records cross between the CBOR and the JSON (SDK) forms;
 * malformed CBOR is a 400 SerializationException, never a crash or a hang.
 */
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { decodeFirstSync, encode, Tagged } from 'cbor';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { signedFor } from '../../helpers/raw-http';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

let emu: Emulator;
let clock: ManualClock;
let kinesis: KinesisClient;

const STREAM = 'cbor-stream';
const SHARD = 'shardId-000000000000';

beforeEach(async () => {
  clock = new ManualClock();
  emu = await startEmulator({ port: 0, clock });
  kinesis = new KinesisClient({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
});

afterEach(async () => {
  kinesis.destroy();
  await emu.stop();
});

interface CborAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: any;
}

/** One call in the Java SDK's form: the CBOR body as given, the answer decoded with tag 1 left as its number. */
async function cborCall(operation: string, body: unknown | Buffer): Promise<CborAnswer> {
  const response = await fetch(emu.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-cbor-1.1',
      'x-amz-target': `Kinesis_20131202.${operation}`,
      ...signedFor('kinesis'),
    },
    body: new Uint8Array(Buffer.isBuffer(body) ? body : encode(body)),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body:
      bytes.length > 0
        ? decodeFirstSync(bytes, { tags: { 1: (v: unknown) => new Tagged(1, v) } })
        : undefined,
  };
}

const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a]);

test('records put in CBOR (PutRecord, PutRecords) read back through the SDK as the same bytes', async () => {
  const put = await cborCall('PutRecord', { StreamName: STREAM, PartitionKey: 'k', Data: BINARY });
  expect(put.status).toBe(200);
  expect(put.contentType).toBe('application/x-amz-cbor-1.1');
  expect(put.body).toEqual({ ShardId: SHARD, SequenceNumber: expect.stringMatching(/^\d{56}$/) });

  const batch = await cborCall('PutRecords', {
    StreamName: STREAM,
    Records: [
      { PartitionKey: 'a', Data: Buffer.from('second') },
      { PartitionKey: 'b', Data: Buffer.from('third') },
    ],
  });
  expect(batch.status).toBe(200);
  expect(batch.body.FailedRecordCount).toBe(0);
  expect(batch.body.Records).toHaveLength(2);

  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: STREAM, ShardId: SHARD, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const read = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  expect(read.Records!.map((r) => Buffer.from(r.Data!))).toEqual([
    BINARY,
    Buffer.from('second'),
    Buffer.from('third'),
  ]);
  expect(read.Records![0].SequenceNumber).toBe(put.body.SequenceNumber);
});

test('a record put through the SDK reads back in CBOR: bytes as a byte string, arrival as tag 1 milliseconds', async () => {
  const arrival = clock.now();
  await kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'k', Data: BINARY }));
  clock.advance(5_000);
  await kinesis.send(
    new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'k', Data: Buffer.from('later') }),
  );

  // AT_TIMESTAMP with the Java SDK's tag 1 around epoch milliseconds: only the later record
  const at = await cborCall('GetShardIterator', {
    StreamName: STREAM,
    ShardId: SHARD,
    ShardIteratorType: 'AT_TIMESTAMP',
    Timestamp: new Tagged(1, arrival + 1_000),
  });
  expect(at.status).toBe(200);
  const later = await cborCall('GetRecords', { ShardIterator: at.body.ShardIterator });
  expect(later.body.Records.map((r: { Data: Buffer }) => r.Data.toString())).toEqual(['later']);

  const iterator = await cborCall('GetShardIterator', {
    StreamName: STREAM,
    ShardId: SHARD,
    ShardIteratorType: 'TRIM_HORIZON',
  });
  const records = await cborCall('GetRecords', { ShardIterator: iterator.body.ShardIterator, Limit: 1 });
  expect(records.status).toBe(200);
  expect(records.contentType).toBe('application/x-amz-cbor-1.1');
  const [record] = records.body.Records;
  expect(Buffer.isBuffer(record.Data)).toBe(true);
  expect(record.Data).toEqual(BINARY);
  expect(record.ApproximateArrivalTimestamp).toEqual(new Tagged(1, arrival));
  expect(records.body.NextShardIterator).toEqual(expect.any(String));
  expect(records.body.MillisBehindLatest).toEqual(expect.any(Number));
});

test('DescribeStream answers in CBOR with its creation time as tag 1', async () => {
  const described = await cborCall('DescribeStream', { StreamName: STREAM });
  expect(described.status).toBe(200);
  const description = described.body.StreamDescription;
  expect(description.StreamName).toBe(STREAM);
  expect(description.StreamStatus).toBe('ACTIVE');
  expect(description.Shards.map((s: { ShardId: string }) => s.ShardId)).toEqual([SHARD]);
  expect(description.StreamCreationTimestamp).toEqual(new Tagged(1, clock.now()));
});

test("errors come back in CBOR: the service's and the input checks'", async () => {
  const missing = await cborCall('DescribeStream', { StreamName: 'nope' });
  expect(missing.status).toBe(400);
  expect(missing.contentType).toBe('application/x-amz-cbor-1.1');
  expect(missing.body).toEqual({
    __type: 'com.amazonaws.kinesis#ResourceNotFoundException',
    message: expect.stringContaining('nope'),
  });

  // a blob member sent as a number fails the same schema check as in JSON
  const wrongType = await cborCall('PutRecord', { StreamName: STREAM, PartitionKey: 'k', Data: 7 });
  expect(wrongType.status).toBe(400);
  expect(wrongType.body.__type).toBe('com.amazon.coral.service#SerializationException');
  expect(wrongType.body.message).toContain('Data');
});

test.each([
  ['truncated', Buffer.from([0xa1, 0x6a])],
  ['a byte string claiming 4 GiB', Buffer.from([0xa1, 0x61, 0x61, 0x5a, 0xff, 0xff, 0xff, 0xff])],
  ['an array claiming 2^64 items', Buffer.from([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
  ['nesting 100,000 arrays deep', Buffer.alloc(100_000, 0x81)],
  ['an indefinite map never closed', Buffer.from([0xbf, 0x61, 0x61, 0x01])],
  ['a map with an integer key', Buffer.from([0xa1, 0x01, 0x02])],
  ['trailing bytes', Buffer.concat([encode({ StreamName: STREAM }), Buffer.from([0x00])])],
  ['a reserved head', Buffer.from([0x1c])],
  ['a top-level array', encode([1, 2])],
])('malformed CBOR (%s) is a 400 SerializationException in CBOR', async (_name, body) => {
  const answer = await cborCall('DescribeStream', body);
  expect(answer.status).toBe(400);
  expect(answer.contentType).toBe('application/x-amz-cbor-1.1');
  expect(answer.body.__type).toBe('com.amazon.coral.service#SerializationException');
});
