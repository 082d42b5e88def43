/**
 * Worker fleet row of `npm run bench`: jobs drained per second by the local fleet at its maximum size (the
 * sandbox stage's) against a single worker measured in the same run. Each worker is what local mode runs: the
 * bundled lambda/worker in its own process, an instance of an emulated Auto Scaling group, talking to the
 * emulator over loopback HTTP. Two kinds of job: no work at all (the SQS round trips are the whole cost), and
 * 20 ms of waiting (an I/O-bound job, where more workers should mean proportionally more jobs).
 * Run alone: tsx bench/worker-fleet.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { loadStageConfig } from '../lib/config';
import { ProcessInstanceLauncher } from '../lib/emulator/autoscaling/instances';
import { type Emulator, startEmulator } from '../lib/emulator/emulator';
import { type Figure, figure } from './figures';

const ROOT = path.join(__dirname, '..');
const GROUP_INPUT = {
  LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
  VPCZoneIdentifier: 'subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f',
  MinSize: 0,
};

export interface WorkerFleetResult {
  readonly header: string[];
  readonly rows: string[][];
  readonly fleetSize: number;
  readonly figures: Figure[];
}

let run = 0;

/** Jobs per second drained by `workers` instances: started and long-polling first, then the jobs arrive. */
async function drainRate(emu: Emulator, assetDir: string, workers: number, jobs: number, seconds: number) {
  run++;
  const queueName = `fleet-bench-${run}`;
  const { QueueUrl } = emu.sqs.createQueue({ QueueName: queueName, Attributes: { VisibilityTimeout: '60' } });
  const queueUrl = QueueUrl as string;
  const launcher = new ProcessInstanceLauncher({
    directory: assetDir,
    args: ['index.js'],
    environment: {
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_REGION: emu.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      QUEUE_URL: queueUrl,
      VISIBILITY_TIMEOUT_SECONDS: '60',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      // the SDK's notice about this machine's Node.js version, once per process, is not the bench's business
      NODE_NO_WARNINGS: '1',
    },
    onLog: (line) => {
      if (line.stream === 'stderr') process.stderr.write(`[${line.instanceId}] ${line.line}\n`);
    },
  });
  const group = `bench-${run}`;
  emu.autoscaling.createAutoScalingGroup(
    { ...GROUP_INPUT, AutoScalingGroupName: group, MaxSize: workers, DesiredCapacity: workers },
    launcher,
  );
  try {
    await until(() => emu.sqs.waitingReceivers() >= workers, 30_000, 'the workers to long-poll');
    const body = JSON.stringify({ jobId: 'bench', seconds });
    const started = performance.now();
    for (let i = 0; i < jobs; i += 10) {
      emu.sqs.sendMessageBatch({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: Math.min(10, jobs - i) }, (_, j) => ({
          Id: `m${j}`,
          MessageBody: body,
        })),
      });
    }
    await until(() => depth(emu, queueUrl) === 0, 120_000, 'the queue to drain');
    return jobs / ((performance.now() - started) / 1000);
  } finally {
    emu.autoscaling.setDesiredCapacity({ AutoScalingGroupName: group, DesiredCapacity: 0 });
    await until(
      () =>
        (emu.autoscaling.describeAutoScalingGroups({ AutoScalingGroupNames: [group] }).AutoScalingGroups[0]
          ?.Instances?.length ?? 0) === 0,
      30_000,
      'the workers to stop',
    );
  }
}

function depth(emu: Emulator, queueUrl: string): number {
  const { Attributes } = emu.sqs.getQueueAttributes({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  });
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`worker fleet bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function benchWorkerFleet(): Promise<WorkerFleetResult> {
  const fleetSize = loadStageConfig({}).workerFleet.maxInstances;
  const assetDir = mkdtempSync(path.join(tmpdir(), 'decoupled-bench-worker-'));
  buildSync({
    entryPoints: [path.join(ROOT, 'lambda', 'worker', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    minify: true,
    outfile: path.join(assetDir, 'index.js'),
    logLevel: 'error',
  });
  const emu = await startEmulator({ port: 0 });
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  try {
    const rows: string[][] = [];
    const figures: Figure[] = [];
    for (const [label, jobs, seconds, name] of [
      ['no work: receive + delete only', 1_500, 0, 'no-work'],
      ['20 ms of work per job', 400, 0.02, 'io-bound'],
    ] as const) {
      // alternate and keep the best of 2, as the HTTP rows do: the machine's load drifts
      let single = 0;
      let fleet = 0;
      for (let round = 0; round < 2; round++) {
        single = Math.max(single, await drainRate(emu, assetDir, 1, jobs, seconds));
        fleet = Math.max(fleet, await drainRate(emu, assetDir, fleetSize, jobs, seconds));
      }
      rows.push([`${fmt(jobs)} jobs, ${label}`, fmt(single), fmt(fleet), `${(fleet / single).toFixed(2)}×`]);
      figures.push(
        figure({
          name: `worker-fleet.${name}`,
          label: `${fmt(jobs)} jobs, ${label}, drained by a fleet of ${fleetSize}`,
          value: fleet,
          unit: 'jobs/s',
          baseline: { name: '1 worker', value: single },
        }),
      );
    }
    return {
      fleetSize,
      figures,
      header: [
        'jobs drained per second (best of 2)',
        '1 worker',
        `fleet of ${fleetSize}`,
        `fleet / 1 worker (ideal ${fleetSize}×)`,
      ],
      rows,
    };
  } finally {
    await emu.stop();
    rmSync(assetDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchWorkerFleet().then(
    (result) => {
      console.log(result.header.join(' | '));
      for (const row of result.rows) console.log(row.join(' | '));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
