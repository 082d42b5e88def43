/**
 * `npm run bench`: the emulator against baselines measured in the same run, on this machine, loopback only.
 *  - HTTP through @aws-sdk/client-sqs: emulator vs a canned-response server (the ceiling: SDK + HTTP alone)
 *    and vs moto_server when the machine has it; each server in its own process.
 *  - In-process (services called directly): throughput on one core, cost growth under a 1,000,000-message
 *    backlog, memory; long-poll wake latency; start-up time.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  benchQueue,
  clientFor,
  fillQueue,
  longPollLatencies,
  sendLatencies,
  percentile,
  receiveDeleteRate,
  sendRate,
} from './http-workloads';
import { type BenchServer, hasMoto, startCannedServer, startEmulatorProcess, startMoto } from './servers';
import { benchLargeObject } from './s3-large';
import { benchSnsS3 } from './sns-s3';
import { benchWorkerFleet } from './worker-fleet';

const ROOT = path.join(__dirname, '..');
/** A large upload's bytes go to disk: the emulator's memory grows by buffers, not by the object. */
const LARGE_OBJECT_RSS_GROWTH_GOAL_MIB = 64;

interface HttpResult {
  send: number;
  receiveDelete: number;
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

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `\n${title}\n${line(header)}\n|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `decoupled emulator benchmark — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  // start-up: in-process, and as a process (the latter includes loading TypeScript through tsx)
  const { startEmulator } = await import('../lib/emulator/emulator');
  const t0 = performance.now();
  const inProcess = await startEmulator({ port: 0 });
  const inProcessStartup = performance.now() - t0;

  const emulator = await startEmulatorProcess();
  const canned = await startCannedServer();
  const moto = hasMoto() ? await startMoto().catch(() => undefined) : undefined;
  const results = new Map<string, HttpResult>();
  let latencies: number[];
  let sendOnly: number[];
  try {
    const [cannedResult, emulatorResult] = await measureAlternating(canned, emulator, 3);
    results.set('canned', cannedResult);
    results.set('emulator', emulatorResult);
    // moto is slow: fewer requests, fewer at once (each workload is capped at 15 s anyway)
    if (moto) results.set('moto', await measureHttp(moto, 0.1, 4));
    const latencyClient = clientFor(emulator.endpoint);
    const latencyQueue = await benchQueue(latencyClient, emulator.endpoint, 'latency', false);
    latencyClient.destroy();
    latencies = await longPollLatencies(emulator.endpoint, latencyQueue, 300);
    sendOnly = await sendLatencies(emulator.endpoint, `${latencyQueue}`, 300);
  } finally {
    await Promise.all([emulator.stop(), canned.stop(), moto?.stop(), inProcess.stop()]);
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
  const row = (label: string, key: keyof HttpResult) => {
    const cells = [label, fmt(ceiling[key]), fmt(emu[key]), ratio(emu[key], ceiling[key])];
    if (motoResult) cells.push(fmt(motoResult[key]), ratio(emu[key], motoResult[key]));
    return cells;
  };
  table('HTTP throughput through @aws-sdk/client-sqs', header, [
    row('SendMessage, requests/s', 'send'),
    row('ReceiveMessage(10) + DeleteMessageBatch, messages/s', 'receiveDelete'),
  ]);
  console.log(
    '16 SendMessage / 8 receive-delete loops at once; moto_server: 4 / 2 (it serves one request at a time).',
  );
  if (!motoResult) console.log('(moto_server not found: `which moto_server` is empty, so no moto column)');

  const core = await runChild([]);
  const memory = await runChild(['memory']);
  table(
    'In-process (services called directly, one core)',
    ['workload', 'result', 'goal'],
    [
      ['send + receive + delete, one message per call', `${fmt(core.single)} msg/s`, '≥ 200,000 msg/s'],
      ['SendMessageBatch + ReceiveMessage(10) + DeleteMessageBatch', `${fmt(core.batched)} msg/s`, ''],
    ],
  );
  table(
    `Cost growth: ns per operation (send/receive/delete), ${fmt(core.backlog)} messages waiting vs an empty queue`,
    ['queue', 'empty', 'backlog', 'backlog / empty (goal ≤ 1.25)', 'vs empty, same heap'],
    [
      [
        'standard',
        fmt(core.standardEmpty),
        fmt(core.standardFull),
        ratio(core.standardFull, core.standardEmpty),
        ratio(core.standardFull, core.standardEmptyAfter),
      ],
      [
        'FIFO, backlog in 100,000 groups',
        fmt(core.fifoEmpty),
        fmt(core.fifoFull),
        ratio(core.fifoFull, core.fifoEmpty),
        ratio(core.fifoFull, core.fifoEmptyAfter),
      ],
    ],
  );
  const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MiB`;
  table(
    `Memory: ${fmt(memory.backlog)} distinct 100-byte messages in a standard queue`,
    ['measure', 'result', 'goal'],
    [
      ['heap growth', mib(memory.heapBytes), ''],
      ['peak RSS of the process', mib(memory.peakRssBytes), '≤ 1,024 MiB'],
    ],
  );
  table(
    'Latency and start-up',
    ['measure', 'result', 'goal'],
    [
      [
        'long-poll wake, send → waiting receive returns, p50',
        `${percentile(latencies, 50).toFixed(2)} ms`,
        '',
      ],
      ['long-poll wake, p99', `${percentile(latencies, 99).toFixed(2)} ms`, '< 5 ms'],
      [
        'for reference: a SendMessage round trip alone, p50 / p99',
        `${percentile(sendOnly, 50).toFixed(2)} / ${percentile(sendOnly, 99).toFixed(2)} ms`,
        '',
      ],
      [
        'start-up to listening, in-process startEmulator()',
        `${inProcessStartup.toFixed(1)} ms`,
        '< 1,000 ms',
      ],
      [
        'start-up to listening, new process (incl. tsx compiling TypeScript)',
        `${emulator.startupMs.toFixed(0)} ms`,
        '',
      ],
    ],
  );
  const snsS3 = await benchSnsS3();
  table('SNS and S3 through their SDK clients (ceiling: a canned SNS/S3 server)', snsS3.header, snsS3.rows);
  const large = await benchLargeObject();
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
        `growth ≤ ${LARGE_OBJECT_RSS_GROWTH_GOAL_MIB} MiB (the bytes live on disk)`,
      ],
    ],
  );
  const fleet = await benchWorkerFleet();
  table(
    `Worker fleet: the bundled worker as local instances (processes) of an Auto Scaling group, ${fleet.fleetSize} vs 1`,
    fleet.header,
    fleet.rows,
  );
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
