/**
 * `npm run bench`: the emulator against baselines measured in the same run, on this machine, loopback only.
 *  - HTTP through @aws-sdk/client-sqs: emulator vs a canned-response server (the ceiling: SDK + HTTP alone)
 *    and vs moto_server when the machine has it; each server in its own process.
 *  - In-process (services called directly): throughput on one core, cost growth under a 1,000,000-message
 *    backlog, memory; long-poll wake latency; start-up time.
 *  - The app itself in local mode (bench/pipeline.ts): orders and quotes per second against its handlers called
 *    directly, and what a warm Lambda invocation costs beyond the handler.
 * Flags: `--json FILE` writes every figure with its baseline, goal and verdict (bench/figures.ts);
 * `--only SECTION[,SECTION]` runs only those sections (names in SECTIONS below).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Figure, figure, type FigureInput, goalText } from './figures';
import {
  benchQueue,
  clientFor,
  fillQueue,
  longPollLatencies,
  percentile,
  receiveDeleteRate,
  sendRate,
} from './http-workloads';
import { benchPipeline } from './pipeline';
import { type BenchServer, hasMoto, startCannedServer, startEmulatorProcess, startMoto } from './servers';
import { benchRequestResponse } from './request-response';
import { benchColdStart } from './cold-start';
import { benchLargeObject } from './s3-large';
import { benchSnsS3 } from './sns-s3';
import { benchKinesis } from './kinesis';
import { benchWorkerFleet } from './worker-fleet';
import { benchIam } from './iam';

const ROOT = path.join(__dirname, '..');
/** Issue 18: S3 holds each byte once, so a large upload grows the emulator's RSS by at most 1.2× the object. */
const LARGE_OBJECT_RSS_GROWTH_GOAL_RATIO = 1.2;
/** In-process runs of the backlog comparison, each in a fresh process; the median ratio is the figure. */
const BACKLOG_RUNS = 3;

interface HttpResult {
  send: number;
  receiveDelete: number;
}

/** Every figure of this run, in the order measured (what `--json` writes). */
const figures: Figure[] = [];

function record(input: FigureInput): Figure {
  const result = figure(input);
  figures.push(result);
  return result;
}

let run = 0;

async function measureHttp(server: BenchServer, scale: number, concurrency = 16): Promise<HttpResult> {
  const canned = server.name.startsWith('canned');
  const client = clientFor(server.endpoint);
  run++;
  try {
    const queueUrl = await benchQueue(client, server.endpoint, `bench-${run}`, canned);
    const send = await sendRate(client, queueUrl, Math.round(5000 * scale), concurrency);
    const rounds = Math.round(600 * scale);
    const drainUrl = await benchQueue(client, server.endpoint, `drain-${run}`, canned);
    if (!canned) await fillQueue(client, drainUrl, rounds * 10 + 100);
    const receiveDelete = await receiveDeleteRate(client, drainUrl, rounds, Math.max(1, concurrency / 2));
    return { send, receiveDelete };
  } finally {
    client.destroy();
  }
}

/** Best of alternating rounds: the SDK client warms up and the machine's load drifts, so neither goes first. */
async function measureAlternating(
  a: BenchServer,
  b: BenchServer,
  rounds: number,
): Promise<[HttpResult, HttpResult]> {
  const best = (x: HttpResult | undefined, y: HttpResult): HttpResult =>
    x === undefined
      ? y
      : { send: Math.max(x.send, y.send), receiveDelete: Math.max(x.receiveDelete, y.receiveDelete) };
  let resultA: HttpResult | undefined;
  let resultB: HttpResult | undefined;
  for (let i = 0; i < rounds; i++) {
    resultA = best(resultA, await measureHttp(a, 1));
    resultB = best(resultB, await measureHttp(b, 1));
  }
  return [resultA as HttpResult, resultB as HttpResult];
}

function runChild(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/in-process.ts', ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`in-process bench: ${code}`)),
    );
  });
}

/** Messages waiting in the backlog comparison. */
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000_000);

/** One side of the backlog comparison, a process of its own that answers each `round` with ns per operation. */
function backlogSide(kind: 'standard' | 'fifo', messages: number) {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/in-process.ts', 'backlog', kind, String(messages)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`backlog bench (${kind}, ${messages}) exited: ${code}`))),
  );
  const nextLine = () =>
    Promise.race([
      new Promise<string>((resolve) => {
        const line = lines.shift();
        if (line !== undefined) resolve(line);
        else waiting.push(resolve);
      }),
      exited,
    ]);
  return {
    ready: () => nextLine(),
    round: async () => {
      child.stdin.write('round\n');
      return Number(await nextLine());
    },
    stop: () => {
      exited.catch(() => undefined);
      child.stdin.end();
    },
  };
}

/**
 * ns per operation on an empty queue and on one with BACKLOG messages waiting, each alone in its own process (the
 * empty one's heap holds no backlog), in alternating rounds so that load from other processes hits both alike.
 */
async function backlogPair(kind: 'standard' | 'fifo'): Promise<{ empty: number; full: number }> {
  const empty = backlogSide(kind, 0);
  const full = backlogSide(kind, BACKLOG);
  try {
    await Promise.all([empty.ready(), full.ready()]);
    let bestEmpty = Number.POSITIVE_INFINITY;
    let bestFull = Number.POSITIVE_INFINITY;
    // 11 rounds of 20,000 cycles: each long enough to hold several scavenges, enough of them that the best
    // of each side is likely to fall in a quiet moment of a shared machine
    for (let round = 0; round < 11; round++) {
      bestEmpty = Math.min(bestEmpty, await empty.round());
      bestFull = Math.min(bestFull, await full.round());
    }
    return { empty: bestEmpty, full: bestFull };
  } finally {
    empty.stop();
    full.stop();
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `\n${title}\n${line(header)}\n|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const row of rows) console.log(line(row));
}

async function sqsHttp(): Promise<void> {
  const emulator = await startEmulatorProcess();
  const canned = await startCannedServer();
  const moto = hasMoto() ? await startMoto().catch(() => undefined) : undefined;
  const results = new Map<string, HttpResult>();
  try {
    const [cannedResult, emulatorResult] = await measureAlternating(canned, emulator, 3);
    results.set('canned', cannedResult);
    results.set('emulator', emulatorResult);
    // moto is slow: fewer requests, fewer at once (each workload is capped at 15 s anyway)
    if (moto) results.set('moto', await measureHttp(moto, 0.1, 4));
  } finally {
    await Promise.all([emulator.stop(), canned.stop(), moto?.stop()]);
  }

  const ceiling = results.get('canned') as HttpResult;
  const emu = results.get('emulator') as HttpResult;
  const motoResult = results.get('moto');
  const header = [
    'SDK over HTTP, best of 3 alternating runs',
    'ceiling',
    'emulator',
    'emulator / ceiling (goal ≥ 0.80)',
  ];
  if (motoResult) header.push('moto_server', 'emulator / moto');
  const row = (label: string, key: keyof HttpResult, unit: string) => {
    record({
      name: `sqs.http.${key}`,
      label,
      value: emu[key],
      unit,
      baseline: { name: 'canned-response server (SDK + HTTP alone)', value: ceiling[key] },
      goal: { on: 'ratio', op: '>=', limit: 0.8 },
    });
    const cells = [label, fmt(ceiling[key]), fmt(emu[key]), ratio(emu[key], ceiling[key])];
    if (motoResult) {
      record({
        name: `sqs.http.${key}.moto`,
        label: `${label}, moto_server`,
        value: motoResult[key],
        unit,
        baseline: { name: 'canned-response server (SDK + HTTP alone)', value: ceiling[key] },
      });
      cells.push(fmt(motoResult[key]), ratio(emu[key], motoResult[key]));
    }
    return cells;
  };
  table('HTTP throughput through @aws-sdk/client-sqs', header, [
    row('SendMessage, requests/s', 'send', 'requests/s'),
    row('ReceiveMessage(10) + DeleteMessageBatch, messages/s', 'receiveDelete', 'messages/s'),
  ]);
  console.log(
    '16 SendMessage / 8 receive-delete loops at once; moto_server: 4 / 2 (it serves one request at a time).',
  );
  if (!motoResult) console.log('(moto_server not found: `which moto_server` is empty, so no moto column)');
}

async function sqsInProcess(): Promise<void> {
  // each run in fresh processes (their own heap and JIT); the backlog ratios are the medians of the runs
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < BACKLOG_RUNS; i++) {
    const standard = await backlogPair('standard');
    const fifo = await backlogPair('fifo');
    runs.push({
      ...(await runChild([])),
      standardEmpty: standard.empty,
      standardFull: standard.full,
      fifoEmpty: fifo.empty,
      fifoFull: fifo.full,
    });
  }
  const of = (key: string) => median(runs.map((r) => r[key]));
  const ratioOf = (full: string, empty: string) => median(runs.map((r) => r[full] / r[empty]));
  const core = { single: of('single'), batched: of('batched'), backlog: BACKLOG };
  const single = record({
    name: 'sqs.in-process.single',
    label: 'send + receive + delete, one message per call',
    value: core.single,
    unit: 'messages/s',
    goal: { on: 'value', op: '>=', limit: 200_000 },
  });
  record({
    name: 'sqs.in-process.batched',
    label: 'SendMessageBatch + ReceiveMessage(10) + DeleteMessageBatch',
    value: core.batched,
    unit: 'messages/s',
  });
  table(
    `In-process (services called directly, one core), median of ${BACKLOG_RUNS} runs`,
    ['workload', 'result', 'goal'],
    [
      [single.label, `${fmt(core.single)} msg/s`, '≥ 200,000 msg/s'],
      ['SendMessageBatch + ReceiveMessage(10) + DeleteMessageBatch', `${fmt(core.batched)} msg/s`, ''],
    ],
  );
  const backlogRow = (queue: string, label: string, prefix: 'standard' | 'fifo') => {
    const empty = of(`${prefix}Empty`);
    const full = of(`${prefix}Full`);
    const growth = ratioOf(`${prefix}Full`, `${prefix}Empty`);
    // the figure's value is the median backlog cost scaled so that value / baseline is the median ratio
    record({
      name: `sqs.in-process.backlog.${queue}`,
      label: `${label}: ns per operation with ${fmt(core.backlog)} messages waiting`,
      value: empty * growth,
      unit: 'ns/operation',
      baseline: { name: 'the same operations on an empty queue', value: empty },
      goal: { on: 'ratio', op: '<=', limit: 1.25 },
    });
    return [
      label,
      fmt(empty),
      fmt(full),
      `${growth.toFixed(2)}× (${runs.map((r) => ratio(r[`${prefix}Full`], r[`${prefix}Empty`])).join(', ')})`,
    ];
  };
  table(
    `Cost growth: ns per operation (send/receive/delete), ${fmt(core.backlog)} messages waiting vs an empty queue, each in its own process, alternating rounds; median of ${BACKLOG_RUNS} runs`,
    ['queue', 'empty', 'backlog', 'backlog / empty (goal ≤ 1.25), each run'],
    [
      backlogRow('standard', 'standard', 'standard'),
      backlogRow('fifo', 'FIFO, backlog in 100,000 groups', 'fifo'),
    ],
  );
}

async function sqsMemory(): Promise<void> {
  const memory = await runChild(['memory']);
  const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MiB`;
  record({
    name: 'sqs.memory.heap-growth',
    label: `heap growth, ${fmt(memory.backlog)} distinct 100-byte messages`,
    value: memory.heapBytes / 1024 / 1024,
    unit: 'MiB',
  });
  record({
    name: 'sqs.memory.peak-rss',
    label: `peak RSS of the process, ${fmt(memory.backlog)} distinct 100-byte messages`,
    value: memory.peakRssBytes / 1024 / 1024,
    unit: 'MiB',
    goal: { on: 'value', op: '<=', limit: 1024 },
  });
  table(
    `Memory: ${fmt(memory.backlog)} distinct 100-byte messages in a standard queue`,
    ['measure', 'result', 'goal'],
    [
      ['heap growth', mib(memory.heapBytes), ''],
      ['peak RSS of the process', mib(memory.peakRssBytes), '≤ 1,024 MiB'],
    ],
  );
}

async function sqsLatency(): Promise<void> {
  const emulator = await startEmulatorProcess();
  let raw: { wake: number[]; send: number[] };
  let sdk: { wake: number[]; send: number[] };
  try {
    const latencyClient = clientFor(emulator.endpoint);
    const wakeQueue = await benchQueue(latencyClient, emulator.endpoint, 'latency', false);
    const sendQueue = await benchQueue(latencyClient, emulator.endpoint, 'latency-send', false);
    latencyClient.destroy();
    raw = await longPollLatencies(emulator.endpoint, wakeQueue, sendQueue, 300, 'raw');
    sdk = await longPollLatencies(emulator.endpoint, wakeQueue, sendQueue, 300, 'sdk');
  } finally {
    await emulator.stop();
  }
  const ms = (values: number[], p: number) => percentile(values, p).toFixed(2);
  // the goal is on the emulator's wake, so its figure comes from bare HTTP requests: through the SDK, the client's
  // own CPU time (signing, middleware) is most of the latency, and its row is kept alongside for comparison
  for (const [transport, result] of [
    ['raw', raw],
    ['sdk', sdk],
  ] as const) {
    const prefix = transport === 'raw' ? 'sqs.long-poll.wake' : 'sqs.long-poll.wake.sdk';
    const how = transport === 'raw' ? 'bare HTTP requests' : '@aws-sdk/client-sqs';
    record({
      name: `${prefix}.p50`,
      label: `long-poll wake, send → waiting receive returns, p50 (${how})`,
      value: percentile(result.wake, 50),
      unit: 'ms',
      baseline: { name: 'a SendMessage round trip alone, p50, same run', value: percentile(result.send, 50) },
    });
    record({
      name: `${prefix}.p99`,
      label: `long-poll wake, p99 (${how})`,
      value: percentile(result.wake, 99),
      unit: 'ms',
      baseline: { name: 'a SendMessage round trip alone, p99, same run', value: percentile(result.send, 99) },
      ...(transport === 'raw' ? { goal: { on: 'value', op: '<', limit: 5 } as const } : {}),
    });
  }
  table(
    'Long-poll latency (emulator in its own process; each wake sample is followed by a plain SendMessage round trip)',
    ['client', 'wake p50 / p99', 'SendMessage alone p50 / p99', 'goal'],
    [
      [
        'bare HTTP requests',
        `${ms(raw.wake, 50)} / ${ms(raw.wake, 99)} ms`,
        `${ms(raw.send, 50)} / ${ms(raw.send, 99)} ms`,
        'wake p99 < 5 ms',
      ],
      [
        '@aws-sdk/client-sqs',
        `${ms(sdk.wake, 50)} / ${ms(sdk.wake, 99)} ms`,
        `${ms(sdk.send, 50)} / ${ms(sdk.send, 99)} ms`,
        '',
      ],
    ],
  );
}

async function startup(): Promise<void> {
  // in-process, and as a process (the latter includes loading TypeScript through tsx)
  const { startEmulator } = await import('../lib/emulator/emulator');
  const t0 = performance.now();
  const inProcess = await startEmulator({ port: 0 });
  const inProcessStartup = performance.now() - t0;
  await inProcess.stop();
  const emulator = await startEmulatorProcess();
  await emulator.stop();
  const inProcessFigure = record({
    name: 'startup.in-process',
    label: 'start-up to listening, in-process startEmulator()',
    value: inProcessStartup,
    unit: 'ms',
    goal: { on: 'value', op: '<', limit: 1000 },
  });
  const processFigure = record({
    name: 'startup.process',
    label: 'start-up to listening, new process (incl. tsx compiling TypeScript)',
    value: emulator.startupMs,
    unit: 'ms',
  });
  table(
    'Start-up',
    ['measure', 'result', 'goal'],
    [
      [inProcessFigure.label, `${inProcessStartup.toFixed(1)} ms`, '< 1,000 ms'],
      [processFigure.label, `${emulator.startupMs.toFixed(0)} ms`, ''],
    ],
  );
}

/** A number as the tables print it ("12,345", "0.52×"). */
const parseCell = (cell: string) => Number(cell.replace(/[,×]/g, ''));

async function snsS3(): Promise<void> {
  const result = await benchSnsS3();
  // the rows are text: the figures are read back from their ceiling and emulator cells
  for (const [label, ceilingCell, emulatorCell] of result.rows) {
    const name = label.trim().replace(/^… /, '').split(',')[0].toLowerCase().replace(/\W+/g, '-');
    const ceilingValue = parseCell(ceilingCell === '' ? result.rows[0][1] : ceilingCell);
    record({
      name: `sns-s3.${name}`,
      label: label.trim(),
      value: parseCell(emulatorCell),
      unit: /requests\/s/.test(label) ? 'requests/s' : 'publishes/s',
      baseline: { name: 'canned SNS/S3 server (SDK + HTTP alone)', value: ceilingValue },
    });
  }
  table('SNS and S3 through their SDK clients (ceiling: a canned SNS/S3 server)', result.header, result.rows);
}

async function kinesis(): Promise<void> {
  const result = await benchKinesis();
  const value = record({
    name: 'kinesis.put-records',
    label: 'Kinesis PutRecords, records/s (100 a call, 8 concurrent)',
    value: result.emulator,
    unit: 'records/s',
    baseline: { name: 'canned Kinesis server (SDK + HTTP alone)', value: result.ceiling },
  });
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  table(
    'Kinesis through its SDK client (ceiling: a canned Kinesis server)',
    ['SDK over HTTP', 'ceiling', 'emulator', 'emulator / ceiling'],
    [[value.label, fmt(result.ceiling), fmt(result.emulator), `${(value.ratio ?? 0).toFixed(2)}×`]],
  );
  if (result.throttled > 0) console.log(`(${fmt(result.throttled)} records were refused for throughput)`);
}

async function s3Large(): Promise<void> {
  const large = await benchLargeObject();
  const disk = { name: 'writing the same bytes to a temp file', value: large.diskSeconds };
  record({
    name: 's3.large.upload',
    label: `Upload of ${large.mebibytes} MiB (multipart, 4 parts at once)`,
    value: large.uploadSeconds,
    unit: 's',
    baseline: disk,
  });
  record({
    name: 's3.large.download',
    label: `GetObject of ${large.mebibytes} MiB, read whole`,
    value: large.downloadSeconds,
    unit: 's',
    baseline: disk,
  });
  const objectSize = { name: 'the object', value: large.mebibytes };
  const rssGrowth = record({
    name: 's3.large.rss-growth',
    label: `emulator RSS growth after a ${large.mebibytes} MiB upload`,
    value: large.rssAfterUpload - large.rssBefore,
    unit: 'MiB',
    baseline: objectSize,
    goal: { on: 'ratio', op: '<=', limit: LARGE_OBJECT_RSS_GROWTH_GOAL_RATIO },
  });
  const peakGrowth = record({
    name: 's3.large.rss-peak-growth',
    label: `emulator peak RSS growth during a ${large.mebibytes} MiB upload and its download`,
    value: large.rssPeak - large.rssBefore,
    unit: 'MiB',
    baseline: objectSize,
    goal: { on: 'ratio', op: '<=', limit: LARGE_OBJECT_RSS_GROWTH_GOAL_RATIO },
  });
  table(
    `S3: a ${large.mebibytes} MiB object through @aws-sdk/lib-storage Upload (ceiling: writing it to a temp file)`,
    ['measure', 'result', 'vs ceiling', 'goal'],
    [
      [
        'Upload (multipart, 4 parts at once)',
        `${large.uploadSeconds.toFixed(2)} s`,
        ratio(large.uploadSeconds, large.diskSeconds),
        '',
      ],
      [
        'GetObject, read whole',
        `${large.downloadSeconds.toFixed(2)} s`,
        ratio(large.downloadSeconds, large.diskSeconds),
        '',
      ],
      [
        'emulator RSS: started → after upload → after download (peak)',
        `${large.rssBefore.toFixed(0)} → ${large.rssAfterUpload.toFixed(0)} → ${large.rssAfterDownload.toFixed(0)} MiB (${large.rssPeak.toFixed(0)})`,
        '',
        '',
      ],
      [
        'RSS growth after the upload; at the peak (vs the object)',
        `${fmt(rssGrowth.value)}; ${fmt(peakGrowth.value)} MiB`,
        `${ratio(rssGrowth.value, large.mebibytes)}; ${ratio(peakGrowth.value, large.mebibytes)}`,
        `≤ ${LARGE_OBJECT_RSS_GROWTH_GOAL_RATIO}× the object (each byte once)`,
      ],
    ],
  );
}

async function workerFleet(): Promise<void> {
  const fleet = await benchWorkerFleet();
  figures.push(...fleet.figures);
  table(
    `Worker fleet: the bundled worker as local instances (processes) of an Auto Scaling group, ${fleet.fleetSize} vs 1`,
    fleet.header,
    fleet.rows,
  );
}

async function requestResponse(): Promise<void> {
  const result = await benchRequestResponse();
  figures.push(...result.figures);
  table(
    'Request-response (chapter 6): a virtual queue per request vs one real queue per request, same run',
    result.header,
    result.rows,
  );
}

async function coldStart(): Promise<void> {
  const result = await benchColdStart();
  figures.push(...result.figures.map(figure));
  table(
    'Cold start: npm start and the bare emulator (a project copy, empty build cache at first)',
    result.header,
    result.rows,
  );
}

async function iam(): Promise<void> {
  const result = await benchIam();
  figures.push(...result.figures);
  table(
    'Permissions (--iam): SQS sends of a role session, evaluated, vs the same sends unchecked',
    result.header,
    result.rows,
  );
}

async function app(): Promise<void> {
  const result = await benchPipeline();
  figures.push(...result.figures);
  for (const t of result.tables) table(t.title, t.header, t.rows);
  for (const note of result.notes) console.log(note);
}

/** The sections, in the order they run; `--only` picks some by these names. */
const SECTIONS: Readonly<Record<string, () => Promise<void>>> = {
  'sqs-http': sqsHttp,
  'sqs-in-process': sqsInProcess,
  'sqs-memory': sqsMemory,
  'sqs-latency': sqsLatency,
  iam,
  startup,
  'sns-s3': snsS3,
  kinesis,
  's3-large': s3Large,
  'worker-fleet': workerFleet,
  'request-response': requestResponse,
  app,
  'cold-start': coldStart,
};

interface BenchArguments {
  readonly json?: string;
  readonly only: readonly string[];
}

function parseArguments(args: readonly string[]): BenchArguments {
  let json: string | undefined;
  let only = Object.keys(SECTIONS);
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if ((args[i] === '--json' || args[i] === '--only') && (value === undefined || value.startsWith('--'))) {
      throw new Error(`${args[i]} needs a value`);
    }
    if (args[i] === '--json') json = args[++i];
    else if (args[i] === '--only') {
      only = args[++i].split(',');
      const unknown = only.filter((name) => !Object.hasOwn(SECTIONS, name));
      if (unknown.length > 0) {
        throw new Error(`unknown section ${unknown.join(', ')}: one of ${Object.keys(SECTIONS).join(', ')}`);
      }
    } else throw new Error(`unknown argument ${args[i]}: use --json FILE and --only SECTION[,SECTION]`);
  }
  return { json, only };
}

async function main(): Promise<void> {
  let args: BenchArguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`npm run bench: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '?',
    loadAverage: os.loadavg(),
  };
  console.log(
    `decoupled emulator benchmark — node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAverage
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const name of args.only) await SECTIONS[name]();
  const loadAtEnd = os.loadavg();
  console.log(
    `\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s (load ${loadAtEnd.map((l) => l.toFixed(1)).join(' ')}).`,
  );
  const failed = figures.filter((f) => f.pass === false);
  if (failed.length > 0) {
    console.log(`Goals not met: ${failed.map((f) => `${f.name} (${goalText(f.goal)})`).join(', ')}.`);
  }
  if (args.json !== undefined) {
    const report = {
      startedAt,
      durationSeconds: (performance.now() - started) / 1000,
      machine: { ...machine, loadAverageAtEnd: loadAtEnd },
      sections: args.only,
      figures,
    };
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Figures written to ${args.json}.`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
