/**
 * Chapter 6, request-response, end to end locally: the synthesized RequestResponse template and its bundled quote
 * responder deployed into an emulator on a manual clock, with `npx decoupled request-quote` as the requesters: 100
 * requests from 3 requesters at once, each answered to its own caller, p50/p99 printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../lib/emulator/clock';
import { readCloudAssembly } from '../../lib/emulator/deploy/cloud-assembly';
import { deployStacks, type LocalDeployment } from '../../lib/emulator/deploy/local-deployment';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';
import { PROJECT_COMMANDS } from '../../lib/project/cli';
import { collectingOutput, runProjectCommand } from '../../lib/project/project-command';
import { sqsClientFor } from '../helpers/emulator';
import { TEST_ASSEMBLY_TIMEOUT_MS, testAssembly } from '../helpers/test-assembly';

describe('workshop chapter 6, request-response, deployed locally', () => {
  let emulator: Emulator;
  let deployment: LocalDeployment;
  const dir = mkdtempSync(path.join(tmpdir(), 'decoupled-request-response-'));
  const outputsFile = path.join(dir, 'outputs.json');

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      clock: new ManualClock(Date.parse('2026-11-21T09:00:00Z')),
      onFunctionLog: () => {},
    });
    // the stack alone, as the app synthesizes it (npm start deploys it with the others)
    const stacks = readCloudAssembly(await testAssembly()).filter((s) => s.id === 'RequestResponse');
    deployment = await deployStacks(emulator, stacks);
    writeFileSync(outputsFile, JSON.stringify(deployment.outputsFile()));
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('100 concurrent quote requests from 3 requesters each get their own answer from the responder Lambda', async () => {
    // Prepare
    const out = collectingOutput();
    const errors: string[] = [];
    // Act
    const code = await runProjectCommand(
      PROJECT_COMMANDS['request-quote'],
      ['-n', '100', '--requesters', '3', '--endpoint-url', emulator.endpoint, '--outputs-file', outputsFile],
      { out, errors: (line) => errors.push(line), env: {}, cwd: dir },
    );
    // Assess: each answer carries the premium of the quote its caller asked for, so none went to another caller
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const answers = out.lines.filter((l) => l.startsWith('rq-'));
    expect(answers).toHaveLength(100);
    for (const line of answers) {
      const i = Number(line.slice(3, 7)) - 1;
      // 10,000 + i × 1,000 EUR covered, at 3.5 % a year for a car (even i) and 2 % for a boat
      const premium = ((10_000 + i * 1_000) * (i % 2 === 0 ? 350 : 200)) / 10_000;
      expect(line).toMatch(
        new RegExp(
          `^rq-\\d{4} {2}premium ${premium.toFixed(2)} EUR \\(${i % 2 === 0 ? 'car' : 'boat'}\\) {2}[\\d.]+ ms$`,
        ),
      );
    }
    const summary = out.lines.at(-1) as string;
    expect(summary).toMatch(/^100 of 100 answered: p50 [\d.]+ ms, p99 [\d.]+ ms$/);
    console.log(`deployed locally, request-quote -n 100 --requesters 3: ${summary}`);
    const sqs = sqsClientFor(emulator.endpoint);
    const prefix = deployment.output('RequestResponse', 'HostQueueNamePrefix');
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls).toBeUndefined();
    sqs.destroy();
  }, 180_000);
});
