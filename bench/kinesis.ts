/**
 * The Kinesis row of `npm run bench`: PutRecords throughput (records/s) through @aws-sdk/client-kinesis over
 * loopback HTTP/1.1, against the same-run ceiling, a canned-response server in its own process (what the SDK and
 * HTTP alone cost). The stream has enough shards that AWS's per-shard write limits do not cap the figure.
 * Run alone: tsx bench/kinesis.ts; the ceiling alone: tsx bench/kinesis.ts --canned
 */
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BenchServer, startEmulatorProcess, startNodeServer } from './servers';

const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'benchmark' };
/** Records per PutRecords call, and calls in flight. */
const BATCH = 100;
const CONCURRENCY = 8;
/** 200 shards take 200,000 records/s under AWS's limits: far above what one process serves. */
const SHARDS = 200;
const DATA = Buffer.alloc(100, 'k');

export interface KinesisBenchResult {
  readonly ceiling: number;
  readonly emulator: number;
  /** Records the emulator refused for throughput during the run (should be 0). */
  readonly throttled: number;
}

async function measure(
  server: BenchServer,
  canned: boolean,
  scale: number,
): Promise<{ rate: number; failed: number }> {
  const kinesis = new KinesisClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
    // the SDK's default for Kinesis is HTTP/2; both servers speak HTTP/1.1
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: CONCURRENCY } }),
  });
  try {
    if (!canned) await kinesis.send(new CreateStreamCommand({ StreamName: 'bench', ShardCount: SHARDS }));
    let key = 0;
    let failed = 0;
    const put = async () => {
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'bench',
          Records: Array.from({ length: BATCH }, () => ({ PartitionKey: `session-${key++}`, Data: DATA })),
        }),
      );
      failed += result.FailedRecordCount ?? 0;
    };
    const calls = Math.max(10, Math.round(400 * scale));
    const run = async (total: number) => {
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < total) await put();
        }),
      );
      return (performance.now() - started) / 1000;
    };
    await run(Math.min(50, calls)); // warm-up
    failed = 0;
    const seconds = await run(calls);
    return { rate: (calls * BATCH - failed) / seconds, failed };
  } finally {
    kinesis.destroy();
  }
}

/** Measures the ceiling and the emulator, each in its own process. */
export async function benchKinesis(scale = 1): Promise<KinesisBenchResult> {
  const ceilingServer = await startNodeServer('canned Kinesis (ceiling)', 'bench/kinesis.ts', ['--canned']);
  const emulatorServer = await startEmulatorProcess();
  try {
    const ceiling = await measure(ceilingServer, true, scale);
    const emulator = await measure(emulatorServer, false, scale);
    return { ceiling: ceiling.rate, emulator: emulator.rate, throttled: emulator.failed };
  } finally {
    await Promise.all([ceilingServer.stop(), emulatorServer.stop()]);
  }
}

/** The ceiling: answers every PutRecords with a fixed, valid response of BATCH successful records. */
function serveCanned(): void {
  const body = JSON.stringify({
    FailedRecordCount: 0,
    Records: Array.from({ length: BATCH }, (_, i) => ({
      ShardId: 'shardId-000000000000',
      SequenceNumber: `49${String(i).padStart(54, '0')}`,
    })),
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': 'canned',
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}

if (require.main === module) {
  if (process.argv.includes('--canned')) serveCanned();
  else {
    benchKinesis().then(
      (r) =>
        console.log(
          `PutRecords records/s: ceiling ${r.ceiling.toFixed(0)}, emulator ${r.emulator.toFixed(0)}`,
        ),
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  }
}
