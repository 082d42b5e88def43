/**
 * `kill -9` during a burst of PutMetricData loses no datum that was acknowledged: a child process runs the bare
 * emulator (`decoupled emulator --port 0 --state-dir D`, bundled once), clients put metrics concurrently, the child
 * is killed at a random answer and started again on the same directory, and every acknowledged datum is counted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { buildSync } from 'esbuild';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

const ROOT = path.join(__dirname, '..', '..', '..');
const ROUNDS = 2;
const REQUESTS = 150;

let work: string;
let bundle: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'state-metrics-kill-'));
  bundle = path.join(work, 'emulator.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'lib', 'emulator', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    outfile: bundle,
    logLevel: 'error',
  });
});

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Starts the emulator on `stateDir`; resolves with its endpoint once it prints `listening on`. */
function startChild(stateDir: string): Promise<string> {
  const started = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(bundle)}).runEmulatorCli(process.argv.slice(1))`,
      '--',
      '--port',
      '0',
      '--state-dir',
      stateDir,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    },
  );
  child = started;
  let output = '';
  return new Promise((resolve, reject) => {
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.on('exit', (code) =>
      reject(new Error(`the emulator exited (${code}) before listening:\n${output}`)),
    );
  });
}

function killChild(): Promise<void> {
  const killed = child as ChildProcess;
  child = undefined;
  return new Promise((resolve) => {
    killed.once('exit', () => resolve());
    killed.kill('SIGKILL');
  });
}

const clientFor = (endpoint: string) =>
  new CloudWatchClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });

it('loses no acknowledged PutMetricData datum when killed -9 mid-burst, round after round', async () => {
  const stateDir = path.join(work, 'state');
  let endpoint = await startChild(stateDir);
  /** Per round: the requests acknowledged and those attempted. */
  const acknowledged: Set<number>[] = [];
  const attempted: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const cloudwatch = clientFor(endpoint);

    // Assert (from the second round): every earlier round's acknowledged datum is there, nothing unsent is
    for (let earlier = 0; earlier < round; earlier++) {
      const found = new Set<number>();
      let NextToken: string | undefined;
      do {
        const page = await cloudwatch.send(
          new ListMetricsCommand({ Namespace: `Burst${earlier}`, MetricName: 'Each', NextToken }),
        );
        for (const m of page.Metrics ?? []) found.add(Number(m.Dimensions?.[0].Value));
        NextToken = page.NextToken;
      } while (NextToken);
      for (const i of acknowledged[earlier])
        expect({ earlier, i, found: found.has(i) }).toEqual({ earlier, i, found: true });
      for (const i of found) expect(i).toBeLessThan(attempted[earlier]);
      const { Datapoints = [] } = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: `Burst${earlier}`,
          MetricName: 'Total',
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 3_600_000),
          Period: 3600,
          Statistics: ['SampleCount'],
        }),
      );
      const total = Datapoints.reduce((sum, d) => sum + (d.SampleCount ?? 0), 0);
      expect(total).toBeGreaterThanOrEqual(acknowledged[earlier].size);
      expect(total).toBe(found.size);
    }
    if (round === ROUNDS) {
      cloudwatch.destroy();
      break;
    }

    // Act: concurrent PutMetricData requests (one shared metric, one metric per request), kill -9 at a random answer
    const killAfter = 5 + Math.floor(Math.random() * 60);
    const acked = new Set<number>();
    acknowledged.push(acked);
    attempted.push(REQUESTS);
    let killed!: Promise<void>;
    await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        cloudwatch
          .send(
            new PutMetricDataCommand({
              Namespace: `Burst${round}`,
              MetricData: [
                { MetricName: 'Total', Value: i },
                { MetricName: 'Each', Dimensions: [{ Name: 'Request', Value: String(i) }], Value: i },
              ],
            }),
          )
          .then(
            () => {
              acked.add(i);
              if (acked.size === killAfter) killed = killChild();
            },
            () => undefined,
          ),
      ),
    );
    await killed;
    expect(acked.size).toBeLessThan(REQUESTS);
    cloudwatch.destroy();
    endpoint = await startChild(stateDir);
  }
  await killChild();
}, 90_000);
