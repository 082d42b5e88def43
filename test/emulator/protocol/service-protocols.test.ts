/**
 * Each service's protocol loads on its first request (issue 18: the bare emulator started in 1.4 s with 94 MiB
 * because every service's SDK client and Smithy model loaded at start). The start-up loads none; the identity the
 * router uses before a protocol is loaded is the protocol's own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { buildSync } from 'esbuild';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { serviceProtocols } from '../../../lib/emulator/protocol/service-protocols';
import { sqsClientFor } from '../../helpers/emulator';
import { rawRequest } from '../../helpers/raw-http';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('the identity each protocol is routed by before it loads', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('is the loaded protocol’s own, for every service', () => {
    // Act: loading checks the signing name, X-Amz-Target prefix, query Actions and path claims it was routed by
    const protocols = serviceProtocols(emu);
    // Assess
    for (const protocol of protocols) expect(() => protocol.loaded()).not.toThrow();
    expect(protocols.map((p) => p.signingName)).toEqual([
      'sqs',
      'sns',
      'lambda',
      'monitoring',
      'logs',
      'autoscaling',
      'sts',
      'ssm',
      'kinesis',
      'cloudformation',
      'firehose',
      's3',
    ]);
  });
});

describe('a bare emulator in its own process', () => {
  let work: string;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'decoupled-lazy-'));
    buildSync({
      entryPoints: [path.join(ROOT, 'lib', 'emulator', 'emulator.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      outfile: path.join(work, 'emulator.js'),
      logLevel: 'error',
    });
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  /** Starts it; each line written to its stdin is answered with the AWS SDK clients it has loaded so far. */
  function start(): Promise<{ endpoint: string; loadedClients: () => Promise<string[]> }> {
    const script = `
      const { startEmulator } = require(${JSON.stringify(path.join(work, 'emulator.js'))});
      const clients = () => Object.keys(require.cache).map((f) => /@aws-sdk\\/client-[a-z-]+/.exec(f)?.[0]).filter(Boolean);
      startEmulator({ port: 0 }).then((emu) => {
        console.log('listening on ' + emu.endpoint);
        process.stdin.on('data', () => console.log('clients ' + JSON.stringify([...new Set(clients())].sort())));
        process.stdin.on('end', () => emu.stop());
      });`;
    const started = spawn(process.execPath, ['-e', script], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    });
    child = started;
    let output = '';
    const waiters: ((clients: string[]) => void)[] = [];
    return new Promise((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        for (let match; (match = /^clients (.*)\n/m.exec(output));) {
          output = output.replace(match[0], '');
          waiters.shift()?.(JSON.parse(match[1]) as string[]);
        }
        const listening = /listening on (http:\/\/\S+)/.exec(output);
        if (listening) {
          output = output.replace(listening[0], '');
          resolve({
            endpoint: listening[1],
            loadedClients: () =>
              new Promise((answer) => {
                waiters.push(answer);
                started.stdin?.write('\n');
              }),
          });
        }
      });
      started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.on('exit', (code) => reject(new Error(`the emulator exited (${code}):\n${output}`)));
    });
  }

  test('starts without any AWS SDK client; a first call loads its own service’s alone', async () => {
    // Prepare
    const { endpoint, loadedClients } = await start();
    const atStart = await loadedClients();
    // Act: SQS through the SDK, then an unsigned query Action (an SNS SubscribeURL link is one) routed by its name
    const listed = await sqsClientFor(endpoint).send(new ListQueuesCommand({}));
    const afterSqs = await loadedClients();
    const topics = await rawRequest(`${endpoint}/?Action=ListTopics`, { method: 'GET' });
    // Assess
    expect(atStart).toEqual([]);
    expect(listed.$metadata.httpStatusCode).toBe(200);
    expect(afterSqs).toEqual(['@aws-sdk/client-sqs']);
    expect([topics.status, topics.body]).toEqual([200, expect.stringContaining('<ListTopicsResponse')]);
    expect(await loadedClients()).toEqual(['@aws-sdk/client-sns', '@aws-sdk/client-sqs']);
  });
});
