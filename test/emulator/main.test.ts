import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CreateQueueCommand, ListQueuesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { startEmulator } from '../../lib/emulator/emulator';
import { exposureLines, parseEmulatorArgs } from '../../lib/emulator/main';
import { awsErrorOf, sqsClientFor } from '../helpers/emulator';

const ROOT = path.join(__dirname, '..', '..');
const RUN_CLI = "require('./lib/emulator/main').runEmulatorCli(process.argv.slice(1))";

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '-e', RUN_CLI, '--', ...args], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

describe('parseEmulatorArgs', () => {
  it('defaults to 127.0.0.1:4566 and reads --port and --host in both spellings', () => {
    const closed = {
      allowHosts: [],
      allowOrigins: [],
      allowOutbound: [],
      purgeLimit: true,
      requestLog: 'failures',
      onRequestLog: expect.any(Function),
    };
    expect(parseEmulatorArgs([])).toEqual({ port: 4566, host: '127.0.0.1', ...closed });
    expect(parseEmulatorArgs(['--port', '0', '--host=0.0.0.0'])).toEqual({
      port: 0,
      host: '0.0.0.0',
      ...closed,
    });
    expect(parseEmulatorArgs(['--port=5000'])).toEqual({ port: 5000, host: '127.0.0.1', ...closed });
  });

  it('reads the --allow flags as comma-separated lists, repeatable', () => {
    expect(
      parseEmulatorArgs([
        '--allow-host',
        'decoupled,emulator.internal',
        '--allow-origin=http://localhost:3000',
        '--allow-outbound',
        'hooks.internal',
        '--allow-outbound=10.0.0.5',
      ]),
    ).toMatchObject({
      allowHosts: ['decoupled', 'emulator.internal'],
      allowOrigins: ['http://localhost:3000'],
      allowOutbound: ['hooks.internal', '10.0.0.5'],
    });
  });

  it.each([
    [['--allow-origin', 'localhost:3000'], /--allow-origin takes origins like/],
    [['--no-purge-limit=yes'], /--no-purge-limit takes no value/],
    [['--allow-origin', 'http://localhost:3000/app'], /--allow-origin takes origins like/],
    [['--allow-host', 'a,,b'], /--allow-host takes a comma-separated list/],
    [['--log', 'everything'], /--log takes requests or failures, got 'everything'/],
  ])('rejects %j with what it expects', (args, message) => {
    expect(() => parseEmulatorArgs(args)).toThrow(message);
  });

  it.each([[['--port', 'abc']], [['--port', '70000']], [['--port']], [['--verbose']]])(
    'rejects %j',
    (args) => {
      expect(() => parseEmulatorArgs(args)).toThrow(/usage: decoupled emulator/);
    },
  );
});

describe('--no-purge-limit', () => {
  // the path runEmulatorCli takes (parse, start, print), in process: two purges in a row, over HTTP
  async function purgeTwice(args: string[]) {
    const emulator = await startEmulator(parseEmulatorArgs([...args, '--port', '0']));
    const sqs = sqsClientFor(emulator.endpoint);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'scenarios' }));
      await sqs.send(new PurgeQueueCommand({ QueueUrl }));
      const second = await sqs.send(new PurgeQueueCommand({ QueueUrl })).then(
        (answer) => answer.$metadata.httpStatusCode,
        async (error: unknown) => (await awsErrorOf(Promise.reject(error))).code,
      );
      return { second, lines: exposureLines(emulator) };
    } finally {
      sqs.destroy();
      await emulator.stop();
    }
  }

  it('lifts the once-a-minute PurgeQueue rule and says so at start-up', async () => {
    // Act
    const { second, lines } = await purgeTwice(['--no-purge-limit']);
    // Assess
    expect(second).toBe(200);
    expect(lines.slice(1)).toEqual([
      '--no-purge-limit: PurgeQueue may purge a queue more than once in 60 seconds (AWS refuses that).',
    ]);
  });

  it('without it, keeps the AWS rule and prints nothing about it', async () => {
    // Act
    const { second, lines } = await purgeTwice([]);
    // Assess
    expect(second).toBe('AWS.SimpleQueueService.PurgeQueueInProgress');
    expect(lines).toHaveLength(1);
  });
});

describe('runEmulatorCli', () => {
  it('prints one listening line, serves, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = cli(['--port', '0']);
    let stdout = '';
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    const endpoint = await listening;
    const client = sqsClientFor(endpoint);
    // Act
    const listed = await client.send(new ListQueuesCommand({}));
    client.destroy();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    // Assess
    expect(listed.$metadata.httpStatusCode).toBe(200);
    expect(stdout).toBe(`listening on ${endpoint}\nconsole: ${endpoint}/_console/\n`);
    expect(code).toBe(0);
  });

  it('with --log requests, prints a line per call after the listening line', async () => {
    // Prepare
    const child = cli(['--port', '0', '--log', 'requests']);
    let stdout = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    const client = sqsClientFor(endpoint);
    // Act
    await client.send(new CreateQueueCommand({ QueueName: 'logged' }));
    client.destroy();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await exited;
    // Assess
    expect(stdout.split('\n').slice(2, -1)).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} sqs CreateQueue logged 200 \d+ms$/),
    ]);
  });

  it('bound to every interface, it prints the real address and a warning', async () => {
    // Prepare
    const child = cli(['--port', '0', '--host', '0.0.0.0']);
    let stdout = '';
    // Act
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('trust.\n')) resolve();
      });
      child.on('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });
    const endpoint = /this machine: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    const client = sqsClientFor(endpoint);
    const listed = await client.send(new ListQueuesCommand({}));
    client.destroy();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    // Assess
    expect(await exited).toBe(0);
    expect(listed.$metadata.httpStatusCode).toBe(200);
    expect(stdout).toMatch(
      /^listening on http:\/\/0\.0\.0\.0:\d+ \(every interface; this machine: http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(stdout).toContain(
      'WARNING: --host 0.0.0.0 is not a loopback address: anyone who can reach this machine',
    );
  });

  it('exits 2 with a clear message for a bad flag', () => {
    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', RUN_CLI, '--', '--prot', '1'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown argument '--prot'");
    expect(result.stdout).toBe('');
  });
});
