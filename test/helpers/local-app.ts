/** Shared fixture: the real app (synthesized once per run, see test/global-setup.ts) in local mode on a manual clock. */
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ActivityEvent } from '../../lib/emulator/activity';
import { ManualClock } from '../../lib/emulator/clock';
import { type LocalMode, startLocalMode } from '../../lib/local/local-mode';
import { sqsClientFor, TEST_CREDENTIALS } from './emulator';
import { testAssembly } from './test-assembly';

export interface LocalApp {
  mode: LocalMode;
  clock: ManualClock;
  sqs: SQSClient;
  s3: S3Client;
  /** Every activity event so far. */
  events: ActivityEvent[];
  /** What npm start printed. */
  lines: string[];
  /** An output of a stack (by id, e.g. `Pipeline`). */
  output(stack: string, key: string): string;
  stop(): Promise<void>;
}

export async function startLocalApp(): Promise<LocalApp> {
  const clock = new ManualClock(Date.parse('2026-11-21T09:00:00Z'));
  const lines: string[] = [];
  const mode = await startLocalMode({
    root: `${__dirname}/../..`,
    assemblyDirectory: await testAssembly(),
    port: 0,
    clock,
    print: (line) => lines.push(line),
  });
  const events: ActivityEvent[] = [];
  mode.emulator.activity.listen((e) => events.push(e));
  const { endpoint, region } = mode.emulator;
  const sqs = sqsClientFor(endpoint);
  const s3 = new S3Client({ endpoint, region, credentials: TEST_CREDENTIALS, forcePathStyle: true });
  return {
    mode,
    clock,
    sqs,
    s3,
    events,
    lines,
    output: (stack, key) => mode.deployment.output(stack, key),
    stop: async () => {
      sqs.destroy();
      s3.destroy();
      await mode.stop();
    },
  };
}
