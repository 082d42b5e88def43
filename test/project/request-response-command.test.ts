/**
 * `npx decoupled request-quote` against an in-process emulator with a responder loop in the test: the answers and
 * their latency, a requester killed mid-flight (a child process) whose host queue the next requester's sweep
 * deletes once the idle period has passed on the manual clock, and the command line's usage errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { answerQuote } from '../../lambda/quote-responder/quote-responder';
import { replyAddressOfMessage, sendReply } from '../../lambda/shared/temporary-queues/responder';
import { PROJECT_COMMANDS } from '../../lib/project/cli';
import { collectingOutput, runProjectCommand } from '../../lib/project/project-command';
import { awsErrorOf, startTestEmulator, type TestEmulator } from '../helpers/emulator';

const ROOT = path.join(__dirname, '..', '..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
);
const PREFIX = 'decoupled-sandbox-replies-';

let t: TestEmulator;
let requestQueueUrl: string;
const dir = mkdtempSync(path.join(tmpdir(), 'decoupled-request-quote-'));
const outputsFile = path.join(dir, 'outputs.json');

beforeAll(async () => {
  t = await startTestEmulator();
  requestQueueUrl = (
    await t.sqs.send(
      new CreateQueueCommand({ QueueName: 'decoupled-sandbox-request-response-Requests-AAAA' }),
    )
  ).QueueUrl as string;
  writeFileSync(
    outputsFile,
    JSON.stringify({
      'decoupled-sandbox-request-response': {
        RequestQueueUrl: requestQueueUrl,
        HostQueueNamePrefix: PREFIX,
        HostQueueTag: 'decoupled-request-response=decoupled-sandbox-request-response',
      },
    }),
  );
});
afterAll(async () => {
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The responder Lambda's logic in a loop on the request queue, until `signal` aborts. */
async function respond(signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const { Messages = [] } = await t.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: requestQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      )
      .catch(() => ({ Messages: [] }));
    await Promise.all(
      Messages.map(async (request) => {
        await sendReply(
          t.sqs,
          replyAddressOfMessage(request),
          JSON.stringify(answerQuote(request.Body ?? '')),
        );
        await t.sqs.send(
          new DeleteMessageCommand({ QueueUrl: requestQueueUrl, ReceiptHandle: request.ReceiptHandle }),
        );
      }),
    );
  }
}

async function requestQuote(args: readonly string[]) {
  const out = collectingOutput();
  const errors: string[] = [];
  const code = await runProjectCommand(
    PROJECT_COMMANDS['request-quote'],
    [...args, '--endpoint-url', t.emulator.endpoint, '--outputs-file', outputsFile],
    { out, errors: (line) => errors.push(line), env: {}, cwd: dir },
  );
  return { code, lines: out.lines, stderr: errors.join('\n') };
}

describe('decoupled request-quote', () => {
  test('a requester killed mid-flight leaves its host queue, which the next one sweeps after the idle period', async () => {
    // Prepare: a requester in its own process sends 3 requests nobody answers, and is killed
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        path.join(ROOT, 'bin/decoupled.ts'),
        'request-quote',
        '-n',
        '3',
        '--timeout',
        '10m',
        '--endpoint-url',
        t.emulator.endpoint,
        '--outputs-file',
        outputsFile,
      ],
      { cwd: dir, env: CLEAN_ENV },
    );
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('sending 3 quote request(s)')) resolve();
      });
    });
    child.kill('SIGKILL');
    await closed;
    const hostQueueUrl = /host queue (\S+)/.exec(stdout)?.[1] as string;
    const orphaned = (await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: PREFIX }))).QueueUrls;
    // Act: the idle period (300 s) passes without a heartbeat; a new requester starts and is answered
    t.clock.advance(301_000);
    const stop = new AbortController();
    const responder = respond(stop.signal);
    const run = await requestQuote(['-n', '4', '--requesters', '2']);
    stop.abort();
    await responder;
    // Assess
    expect(orphaned).toEqual([hostQueueUrl]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe('swept 1 idle host queue(s) of requesters that died');
    const gone = await awsErrorOf(
      t.sqs.send(new GetQueueUrlCommand({ QueueName: hostQueueUrl.split('/').pop() })),
    );
    expect(gone.name).toBe('QueueDoesNotExist');
    // the three requests of the dead requester were answered too: their replies went nowhere, and were dropped
    expect(
      run.lines.filter((l) => /^rq-000\d {2}premium [\d.]+ EUR \((car|boat)\) {2}[\d.]+ ms$/.test(l)),
    ).toHaveLength(4);
    expect(run.lines.at(-1)).toMatch(/^4 of 4 answered: p50 [\d.]+ ms, p99 [\d.]+ ms$/);
    expect((await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: PREFIX }))).QueueUrls).toBeUndefined();
  });

  test('refuses a bad command line with the usage (exit 2)', async () => {
    const run = await requestQuote(['-n', '0', '--timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^decoupled request-quote: -n must be a whole number from 1 to 1000, not '0'/);
    const type = await requestQuote(['--type', 'house']);
    expect(type.stderr).toMatch(/--type must be one of car, boat, life, not 'house'/);
  });
});
