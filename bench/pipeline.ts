/**
 * The app measured (`npm run bench -- --only app`): the workshop's pipeline (chapter 2) and fan-out (chapter 3)
 * in local mode, as `npm start` deploys them from cdk.out, against a same-run ceiling that calls the same
 * handlers' logic directly in one process (the ports on in-memory arrays instead of S3, SQS and SNS).
 *  - orders per second from the upload to the last `results/` object: 1,000 orders in one upload, and 1,000
 *    uploads of one order;
 *  - quotes per second from the producer's Invoke to the last offer sent to the offers queue: 1,000 quotes in 10
 *    requests of 100 (the producer's limit), and 1,000 requests of one quote;
 *  - what a warm invocation costs beyond the handler: Invoke of a function that returns its event;
 *  - the resident memory of each process.
 * Each side runs in its own process (the emulator's functions are worker threads of its process, so its RSS is
 * theirs too); the real clock, so the consumers' 1 s batching window is part of what an order waits.
 * Run alone: tsx bench/pipeline.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ActivityEvent } from '../lib/emulator/activity';
import { type Figure, figure } from './figures';

const ROOT = path.join(__dirname, '..');
/** Orders and quotes per workload; BENCH_APP_ITEMS (a multiple of 100) scales them down for a quick look. */
const ORDERS = Number(process.env.BENCH_APP_ITEMS ?? 1_000);
const QUOTES = ORDERS;
/** The quote producer's limit: a request carries at most 100 quotes. */
const QUOTES_PER_REQUEST = 100;
/** Uploads and Invoke requests in flight at once, from the client side. */
const CLIENT_CONCURRENCY = 10;
/** Warm invocations of the trivial function (after 50 to warm up). */
const TRIVIAL_INVOCATIONS = 500;
/** No workload may take longer than this: a stuck pipeline fails the bench instead of hanging it. */
const WORKLOAD_TIMEOUT_MS = 600_000;

/** What each side measures, per workload: items per second, and the process's memory after it. */
interface SideResult {
  ordersOneUpload: number;
  ordersManyUploads: number;
  quotesFewRequests: number;
  quotesManyRequests: number;
  /** Milliseconds per call of the trivial function: Invoke over HTTP (app), a direct call (ceiling). */
  trivialInvokeMs: number;
  /** The app only: the same Invoke in process (no HTTP), ms. */
  trivialInProcessMs?: number;
  /** The app only: a SendMessage round trip over HTTP, the floor of any request, ms. */
  httpFloorMs?: number;
  /** MiB: before the workloads (deployed, idle), after them, and the peak. */
  rssIdleMiB: number;
  rssAfterMiB: number;
  rssPeakMiB: number;
}

// --- the workloads' data ------------------------------------------------------------------------------------

function order(n: number, run: string): Record<string, unknown> {
  return {
    orderId: `${run}-${n}`,
    customerId: `c-${n % 50}`,
    items: [
      { sku: 'A', quantity: 1 + (n % 5), unitPrice: 9.5 },
      { sku: 'B', quantity: 2, unitPrice: 24.99 },
    ],
  };
}

/** Car and boat quotes only: each becomes one offer (life quotes are not vehicle sales'). */
function quote(n: number, run: string): Record<string, unknown> {
  return {
    quoteId: `${run}-${n}`,
    type: n % 2 === 0 ? 'car' : 'boat',
    customer: { id: `c-${n % 50}`, country: 'PT' },
    coverage: { amount: 10_000 + n, currency: 'EUR' },
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Runs `tasks` `concurrency` at a time. */
async function inParallel(
  concurrency: number,
  count: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    range(Math.min(concurrency, count)).map(async () => {
      while (next < count) await task(next++);
    }),
  );
}

function memoryMiB(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

function peakMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

// --- the ceiling: the handlers called directly ---------------------------------------------------------------

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: 'ceiling',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'ceiling',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let messageCounter = 0;

function sqsRecord(body: string, attributes: Record<string, string>): SQSRecord {
  messageCounter++;
  return {
    messageId: `00000000-0000-4000-8000-${String(messageCounter).padStart(12, '0')}`,
    receiptHandle: `handle-${messageCounter}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [
        name,
        { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ceiling',
    awsRegion: 'us-east-1',
  };
}

function s3Event(bucket: string, key: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'ceiling', 'x-amz-id-2': 'ceiling' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'ceiling',
          bucket: { name: bucket, ownerIdentity: { principalId: 'ceiling' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key, size: 1, eTag: 'ceiling', sequencer: '0' },
        },
      },
    ],
  };
}

/** An SNS notification as a subscription without raw delivery puts it in its queue. */
function snsEnvelope(message: string, type: string): string {
  messageCounter++;
  return JSON.stringify({
    Type: 'Notification',
    MessageId: `00000000-0000-4000-9000-${String(messageCounter).padStart(12, '0')}`,
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:ceiling',
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'ceiling',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/ceiling.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    MessageAttributes: { type: { Type: 'String', Value: type } },
  });
}

/** Items per second through the handlers of both chapters, each port an in-memory array. */
async function ceiling(): Promise<SideResult> {
  // the functions' own settings (handler-function.ts): logs at INFO, to stdout, which goes nowhere here
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const { Logger } = await import('@aws-lambda-powertools/logger');
  const { createProducerHandler } = await import('../lambda/producer/producer');
  const { createConsumerHandler } = await import('../lambda/consumer/consumer');
  const { createQuoteProducerHandler } = await import('../lambda/quote-producer/quote-producer');
  const { createQuoteConsumerHandler } = await import('../lambda/quote-consumer/quote-consumer');
  const { inBatches } = await import('../lambda/shared/upload');

  const objects = new Map<string, string>();
  const workQueue: SQSRecord[] = [];
  const produce = createProducerHandler(
    {
      readObject: async (bucket, key) => objects.get(`${bucket}/${key}`) ?? '',
      sendBatch: async (messages) => {
        for (const m of messages) workQueue.push(sqsRecord(m.body, m.attributes));
        return [];
      },
    },
    new Logger({ serviceName: 'producer' }),
  );
  const consume = createConsumerHandler(
    {
      writeResult: async (key, json) => {
        objects.set(`bucket/${key}`, json);
      },
    },
    new Logger({ serviceName: 'consumer' }),
  );
  const consumerContext = lambdaContext('consumer');
  /** The consumer's batches of 10, as its event source mapping hands them over. */
  const drainWorkQueue = async () => {
    for (const batch of inBatches(workQueue.splice(0))) {
      const response = await consume({ Records: batch } as SQSEvent, consumerContext);
      if (response.batchItemFailures.length > 0) throw new Error('the ceiling consumer refused an order');
    }
  };
  const orders = async (uploads: number, perUpload: number, run: string): Promise<number> => {
    const started = performance.now();
    for (let u = 0; u < uploads; u++) {
      const key = `uploads/${run}-${u}.json`;
      const body = JSON.stringify(range(perUpload).map((i) => order(u * perUpload + i, run)));
      objects.set(`bucket/${key}`, body);
      await produce(s3Event('bucket', key));
      if (workQueue.length >= 10 || u === uploads - 1) await drainWorkQueue();
    }
    return (uploads * perUpload) / ((performance.now() - started) / 1000);
  };

  const vehicleQueue: SQSRecord[] = [];
  const offers: unknown[] = [];
  const publish = createQuoteProducerHandler(
    {
      publishBatch: async (messages) => {
        for (const m of messages) vehicleQueue.push(sqsRecord(snsEnvelope(m.message, m.attributes.type), {}));
        return { published: messages.map((m) => ({ id: m.id, messageId: `id-${m.id}` })), failed: [] };
      },
    },
    new Logger({ serviceName: 'quote-producer' }),
  );
  const offer = createQuoteConsumerHandler(
    { sendOffer: async (o) => void offers.push(JSON.stringify(o)) },
    new Logger({ serviceName: 'vehicle-sales' }),
  );
  const vehicleContext = lambdaContext('vehicle-sales');
  const quotes = async (requests: number, perRequest: number, run: string): Promise<number> => {
    const started = performance.now();
    for (let r = 0; r < requests; r++) {
      await publish({ quotes: range(perRequest).map((i) => quote(r * perRequest + i, run)) });
      if (vehicleQueue.length >= 10 || r === requests - 1) {
        for (const batch of inBatches(vehicleQueue.splice(0))) {
          const response = await offer({ Records: batch } as SQSEvent, vehicleContext);
          if (response.batchItemFailures.length > 0) throw new Error('the ceiling consumer refused a quote');
        }
      }
    }
    return (requests * perRequest) / ((performance.now() - started) / 1000);
  };

  const rssIdleMiB = memoryMiB();
  // warm up the JIT as the app's functions are warm: a round of each, not measured
  await orders(10, 10, 'warm-a');
  await quotes(10, 10, 'warm-q');
  const result: SideResult = {
    ordersOneUpload: await orders(1, ORDERS, 'one'),
    ordersManyUploads: await orders(ORDERS, 1, 'many'),
    quotesFewRequests: await quotes(QUOTES / QUOTES_PER_REQUEST, QUOTES_PER_REQUEST, 'few'),
    quotesManyRequests: await quotes(QUOTES, 1, 'many'),
    trivialInvokeMs: await directCallMs(),
    rssIdleMiB,
    rssAfterMiB: memoryMiB(),
    rssPeakMiB: peakMiB(),
  };
  if (objects.size < 2 * ORDERS || offers.length < 2 * QUOTES) throw new Error('the ceiling lost items');
  return result;
}

const TRIVIAL_HANDLER = 'exports.handler = async (event) => event;\n';

/** The trivial function's handler called directly: its own time, ms per call. */
async function directCallMs(): Promise<number> {
  const handler = async (event: unknown) => event;
  const started = performance.now();
  for (let i = 0; i < TRIVIAL_INVOCATIONS; i++) await handler({ n: i });
  return (performance.now() - started) / TRIVIAL_INVOCATIONS;
}

// --- the app in local mode --------------------------------------------------------------------------------

async function app(assembly: string): Promise<SideResult> {
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const { SQSClient, SendMessageCommand, CreateQueueCommand } = await import('@aws-sdk/client-sqs');
  const { startLocalMode } = await import('../lib/local/local-mode');
  const mode = await startLocalMode({
    root: ROOT,
    assemblyDirectory: assembly,
    port: 0,
    print: () => undefined,
  });
  const { emulator } = mode;
  const config = {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'benchmark' },
  };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const lambda = new LambdaClient(config);
  const sqs = new SQSClient(config);
  const codeDirectory = mkdtempSync(path.join(tmpdir(), 'decoupled-bench-trivial-'));
  try {
    const bucket = mode.deployment.output('Pipeline', 'BucketName');
    const producer = mode.deployment.output('FanOut', 'QuoteProducerFunctionName');
    const offersQueue = mode.deployment.output('FanOut', 'OffersQueueUrl').split('/').pop() as string;

    /** Resolves when `count` distinct keys satisfying `done` were seen in the activity log. */
    const arrivals = (what: string, count: number, key: (e: ActivityEvent) => string | undefined) =>
      new Promise<void>((resolve, reject) => {
        const seen = new Set<string>();
        const timer = setTimeout(() => {
          stop();
          reject(
            new Error(
              `the app bench, ${what}: ${seen.size} of ${count} arrived in ${WORKLOAD_TIMEOUT_MS} ms`,
            ),
          );
        }, WORKLOAD_TIMEOUT_MS);
        const stop = emulator.activity.listen((event) => {
          const k = key(event);
          if (k === undefined) return;
          seen.add(k);
          if (seen.size === count) {
            clearTimeout(timer);
            stop();
            resolve();
          }
        });
      });
    const resultsOf = (run: string) => (e: ActivityEvent) =>
      e.kind === 'object-created' && e.bucket === bucket && e.key.startsWith(`results/${run}-`)
        ? e.key
        : undefined;
    const offersSent = (e: ActivityEvent) =>
      e.kind === 'message-sent' && e.queueName === offersQueue ? e.messageId : undefined;

    const orders = async (uploads: number, perUpload: number, run: string): Promise<number> => {
      const done = arrivals(`orders ${run}`, uploads * perUpload, resultsOf(run));
      const started = performance.now();
      await inParallel(CLIENT_CONCURRENCY, uploads, async (u) => {
        const body = JSON.stringify(range(perUpload).map((i) => order(u * perUpload + i, run)));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `uploads/${run}-${u}.json`, Body: body }));
      });
      await done;
      return (uploads * perUpload) / ((performance.now() - started) / 1000);
    };
    const quotes = async (requests: number, perRequest: number, run: string): Promise<number> => {
      const done = arrivals(`quotes ${run}`, requests * perRequest, offersSent);
      const started = performance.now();
      await inParallel(CLIENT_CONCURRENCY, requests, async (r) => {
        const payload = JSON.stringify({
          quotes: range(perRequest).map((i) => quote(r * perRequest + i, run)),
        });
        const invoked = await lambda.send(new InvokeCommand({ FunctionName: producer, Payload: payload }));
        if (invoked.FunctionError) throw new Error(`the quote producer failed: ${invoked.FunctionError}`);
      });
      await done;
      return (requests * perRequest) / ((performance.now() - started) / 1000);
    };

    // the trivial function, for the cost of an invocation beyond its handler
    writeFileSync(path.join(codeDirectory, 'index.js'), TRIVIAL_HANDLER);
    await emulator.lambda.createFunction({
      functionName: 'bench-trivial',
      codeDirectory,
      handler: 'index.handler',
      runtime: 'nodejs22.x',
    });
    const invokeMs = async (call: (i: number) => Promise<unknown>): Promise<number> => {
      for (let i = 0; i < 50; i++) await call(i);
      const started = performance.now();
      for (let i = 0; i < TRIVIAL_INVOCATIONS; i++) await call(i);
      return (performance.now() - started) / TRIVIAL_INVOCATIONS;
    };
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-http-floor' }));

    await emulator.idle();
    const rssIdleMiB = memoryMiB();
    // a round of each first, wide enough that every function has all its environments warm (10 producers
    // at once, 5 consumers per mapping): what follows measures warm functions, not their start
    await orders(2 * CLIENT_CONCURRENCY, 5, 'warm-a');
    await quotes(2 * CLIENT_CONCURRENCY, 5, 'warm-q');
    const ordersOneUpload = await orders(1, ORDERS, 'one');
    const ordersManyUploads = await orders(ORDERS, 1, 'many');
    const quotesFewRequests = await quotes(QUOTES / QUOTES_PER_REQUEST, QUOTES_PER_REQUEST, 'few');
    const quotesManyRequests = await quotes(QUOTES, 1, 'many');
    await emulator.idle();
    const rssAfterMiB = memoryMiB();
    const trivialInvokeMs = await invokeMs((i) =>
      lambda.send(new InvokeCommand({ FunctionName: 'bench-trivial', Payload: JSON.stringify({ n: i }) })),
    );
    const trivialInProcessMs = await invokeMs((i) => emulator.lambda.invoke('bench-trivial', { n: i }));
    const httpFloorMs = await invokeMs((i) =>
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: String(i) })),
    );
    return {
      ordersOneUpload,
      ordersManyUploads,
      quotesFewRequests,
      quotesManyRequests,
      trivialInvokeMs,
      trivialInProcessMs,
      httpFloorMs,
      rssIdleMiB,
      rssAfterMiB,
      rssPeakMiB: peakMiB(),
    };
  } finally {
    s3.destroy();
    lambda.destroy();
    sqs.destroy();
    await mode.stop();
    rmSync(codeDirectory, { recursive: true, force: true });
  }
}

// --- the parent: both sides, the figures and the tables ------------------------------------------------------

/** Runs one side in its own process; its result comes back on file descriptor 3 (stdout is the functions' logs). */
function runSide(args: string[]): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/pipeline.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let out = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out))
        : reject(new Error(`the app bench (${args[0]}) exited with ${code}`)),
    );
  });
}

export interface PipelineResult {
  readonly figures: Figure[];
  readonly tables: { title: string; header: string[]; rows: string[][] }[];
  readonly notes: string[];
}

export async function benchPipeline(): Promise<PipelineResult> {
  // what `npm start` does first: cdk.out reused when it is the synthesis of the same sources, else synthesized
  // (BENCH_ASSEMBLY=DIR deploys that assembly as it is, as `npm start -- --assembly DIR` does)
  const { synthesizeApp } = await import('../lib/local/synthesis');
  const assembly = process.env.BENCH_ASSEMBLY ?? (await synthesizeApp({ root: ROOT })).outdir;
  const ceilingResult = await runSide(['ceiling']);
  const appResult = await runSide(['app', assembly]);

  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const figures: Figure[] = [];
  const rows: string[][] = [];
  const throughput = (key: keyof SideResult, name: string, label: string, unit: string) => {
    const f = figure({
      name: `app.${name}`,
      label,
      value: appResult[key] as number,
      unit,
      baseline: {
        name: 'the same handlers called directly in one process',
        value: ceilingResult[key] as number,
      },
    });
    figures.push(f);
    rows.push([label, fmt(ceilingResult[key] as number), fmt(f.value), `${(f.ratio as number).toFixed(3)}×`]);
  };
  throughput('ordersOneUpload', 'orders.one-upload', `${fmt(ORDERS)} orders in one upload`, 'orders/s');
  throughput('ordersManyUploads', 'orders.many-uploads', `${fmt(ORDERS)} uploads of one order`, 'orders/s');
  throughput(
    'quotesFewRequests',
    'quotes.few-requests',
    `${fmt(QUOTES)} quotes in ${QUOTES / QUOTES_PER_REQUEST} requests of ${QUOTES_PER_REQUEST}`,
    'quotes/s',
  );
  throughput(
    'quotesManyRequests',
    'quotes.many-requests',
    `${fmt(QUOTES)} requests of one quote`,
    'quotes/s',
  );

  const invoke = figure({
    name: 'app.invoke.warm',
    label: 'Invoke of a warm function that returns its event, over HTTP',
    value: appResult.trivialInvokeMs,
    unit: 'ms',
    baseline: { name: 'the handler called directly', value: ceilingResult.trivialInvokeMs },
  });
  const inProcess = figure({
    name: 'app.invoke.warm-in-process',
    label: '… the same Invoke in process (no HTTP)',
    value: appResult.trivialInProcessMs as number,
    unit: 'ms',
    baseline: { name: 'the handler called directly', value: ceilingResult.trivialInvokeMs },
  });
  const floor = figure({
    name: 'app.http-floor',
    label: '… for reference: a SendMessage round trip',
    value: appResult.httpFloorMs as number,
    unit: 'ms',
  });
  const rss = (name: string, label: string, side: SideResult) =>
    figure({
      name,
      label,
      value: side.rssAfterMiB,
      unit: 'MiB',
      baseline: { name: 'idle', value: side.rssIdleMiB },
    });
  const appRss = rss('app.rss', 'local mode (emulator + functions), after the workloads', appResult);
  const ceilingRss = rss(
    'app.ceiling-rss',
    'the handlers called directly, after the workloads',
    ceilingResult,
  );
  figures.push(invoke, inProcess, floor, appRss, ceilingRss);
  const ms = (n: number) => `${n.toFixed(3)} ms`;
  return {
    figures,
    tables: [
      {
        title: 'The app in local mode: items per second from the request to the last result (one run each)',
        header: ['workload', 'handlers called directly', 'local mode', 'local / direct'],
        rows,
      },
      {
        title: 'A warm invocation, beyond the handler (mean of 500 calls)',
        header: ['measure', 'result', 'handler alone', 'overhead'],
        rows: [invoke, inProcess].map((f) => [
          f.label,
          ms(f.value),
          ms(f.baseline?.value ?? 0),
          ms(f.value - (f.baseline?.value ?? 0)),
        ]),
      },
      {
        title: 'Memory of each side (RSS)',
        header: ['process', 'idle', 'after the workloads', 'peak'],
        rows: [
          [
            appRss.label,
            `${fmt(appResult.rssIdleMiB)} MiB`,
            `${fmt(appRss.value)} MiB`,
            `${fmt(appResult.rssPeakMiB)} MiB`,
          ],
          [
            ceilingRss.label,
            `${fmt(ceilingResult.rssIdleMiB)} MiB`,
            `${fmt(ceilingRss.value)} MiB`,
            `${fmt(ceilingResult.rssPeakMiB)} MiB`,
          ],
        ],
      },
    ],
    notes: [
      `For reference: a SendMessage round trip to the same emulator takes ${ms(floor.value)}. Orders go upload → producer → work queue → consumer (batches of up to 10, gathered for up to 1 s) → results/; quotes go Invoke → producer → SNS → vehicle-sales queue → consumer → offers queue.`,
    ],
  };
}

async function side(): Promise<void> {
  const [which, assembly] = process.argv.slice(2);
  const result = which === 'ceiling' ? await ceiling() : await app(assembly);
  writeSync(3, JSON.stringify(result));
  // the result is out: leftovers of the workloads (keep-alive sockets, the functions' workers) must not hold it
  process.exit(0);
}

if (require.main === module) {
  const which = process.argv[2];
  if (which === 'ceiling' || which === 'app') {
    side().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  } else {
    benchPipeline().then(
      (result) => {
        console.log(JSON.stringify(result.figures, null, 2));
      },
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  }
}
