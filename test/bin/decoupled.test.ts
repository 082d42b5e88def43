import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CreateQueueCommand, ListQueuesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import * as path from 'node:path';
import { sqsClientFor } from '../helpers/emulator';
import { testAssembly } from '../helpers/test-assembly';

const ROOT = path.join(__dirname, '..', '..');

/** Runs the real command line, as `npm start` does. */
function decoupled(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/decoupled.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('decoupled command line', () => {
  test('help lists the commands', () => {
    const { code, stdout } = decoupled('help');

    expect(code).toBe(0);
    expect(stdout).toContain('local [--port N] [--stage sandbox|dev|prod] [--outputs-file F] [--host H]');
    expect(stdout).toContain('publish-quotes (--topic-arn ARN | --outputs-file F)');
    expect(stdout).toContain('send-jobs (--queue-url URL | --outputs-file F)');
    expect(stdout).toContain('[--no-purge-limit]');
    expect(stdout).toContain('[-c|--context KEY=VALUE]... [--app CMD | --assembly DIR]');
  });

  test('the launcher runs the compiled command line, rebuilding dist/ when the sources changed', () => {
    // Act: npx decoupled, npm start and npm run emulator go through bin/decoupled.js
    const result = spawnSync(process.execPath, ['bin/decoupled.js', 'help'], { cwd: ROOT, encoding: 'utf8' });

    // Assess: dist/ is up to date with the sources afterwards, and the command ran from it, with no tsx
    const { distStaleReason } = require('../../bin/build-dist') as { distStaleReason(): string | undefined };
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: decoupled <command> [options]');
    expect(result.stderr).not.toContain('tsx');
    expect(distStaleReason()).toBeUndefined();
  });

  test('an unknown command exits 2 with the usage', () => {
    const { code, stderr } = decoupled('deploy-everything');

    expect(code).toBe(2);
    expect(stderr).toContain("decoupled: unknown command 'deploy-everything'");
    expect(stderr).toContain('Usage: decoupled <command>');
  });

  test('an unknown flag exits 2 and names it', () => {
    const { code, stderr } = decoupled('local', '--stgae', 'prod');

    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--stgae'");
  });

  test('a misspelt context key of this app exits 2 naming the key it meant, before synthesizing', () => {
    const { code, stderr } = decoupled('local', '-c', 'stgae=dev');

    expect(code).toBe(2);
    expect(stderr).toContain("decoupled: unknown context key 'stgae' (did you mean 'stage'?)");
  });

  test.each([
    [['-c', 'stage'], "-c needs KEY=VALUE, got 'stage'"],
    [['--stage', 'dev', '--context', 'stage=prod'], '--stage dev and -c stage=prod disagree: give one'],
    [['--assembly', 'no-such-dir'], '--assembly no-such-dir: no manifest.json there'],
    [
      ['--assembly', 'cdk.out', '--app', 'npx tsx bin/app.ts'],
      '--assembly deploys what is already synthesized',
    ],
    [['--app', ' '], '--app needs a command'],
  ])('local %j is a usage error (exit 2)', (args, message) => {
    const { code, stderr } = decoupled('local', ...args);

    expect(code).toBe(2);
    expect(stderr).toContain(`decoupled: ${message}`);
  });

  test('an invalid stage fails before synthesizing, listing the problem', () => {
    const { code, stderr } = decoupled('local', '--stage', 'qa');

    expect(code).toBe(1);
    expect(stderr).toContain('Stage configuration is invalid (1 problem):');
    expect(stderr).toContain('stage must be one of sandbox, dev, prod, but "qa" was provided');
  });

  test('emulator serves until SIGTERM, announcing one listening line', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bin/decoupled.ts', 'emulator', '--port', '0'],
      {
        cwd: ROOT,
      },
    );
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (match) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`emulator exited early with ${code}: ${out}`)));
    });

    // Act
    const sqs = sqsClientFor(endpoint);
    const queues = await sqs.send(new ListQueuesCommand({}));
    sqs.destroy();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');

    // Assess
    expect(queues.QueueUrls ?? []).toEqual([]);
    expect(await exited).toBe(0);
  });

  test('local deploys the app, writes the outputs file, serves until SIGTERM and stops cleanly', async () => {
    // Prepare: --no-purge-limit and --log requests ride along, to see them reach the emulator
    const outputsFile = path.join(mkdtempSync(path.join(tmpdir(), 'decoupled-outputs-')), 'outputs.json');
    const child = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', 'bin/decoupled.ts', 'local', '--port', '0'],
        ...['--outputs-file', outputsFile, '--no-purge-limit', '--log', 'requests'],
      ],
      { cwd: ROOT },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => /Ready in \d+\.\d s/.test(out) && resolve());
      void exited.then((code) => reject(new Error(`local exited early with ${code}: ${out}`)));
    });

    // Act
    const outputs = JSON.parse(readFileSync(outputsFile, 'utf8'));
    const endpoint = /export AWS_ENDPOINT_URL=(\S+)/.exec(out)?.[1] as string;
    const sqs = sqsClientFor(endpoint);
    const queues = await sqs.send(new ListQueuesCommand({}));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'purged-twice' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const secondPurge = await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    sqs.destroy();
    child.kill('SIGTERM');

    // Assess: the outputs file has cdk deploy's shape, stack name → output → value, and the queues exist
    expect(outputs['decoupled-sandbox-pipeline'].WorkQueueUrl).toMatch(
      new RegExp(`^${endpoint}/000000000000/`),
    );
    expect(queues.QueueUrls).toContain(outputs['decoupled-sandbox-pipeline'].WorkQueueUrl);
    expect(out).toMatch(/^ {2}Pipeline +\d+ resources: \d+ queues/m);
    expect(out).toContain('--no-purge-limit: PurgeQueue may purge a queue more than once in 60 seconds');
    expect(secondPurge.$metadata.httpStatusCode).toBe(200);
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} sqs CreateQueue purged-twice 200 \d+ms$/m);
    expect(await exited).toBe(0);
    expect(out).toContain('Stopped.');
  }, 120_000);

  test('local --assembly deploys an existing cloud assembly without synthesizing', async () => {
    // Prepare
    const assembly = await testAssembly();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bin/decoupled.ts', 'local', '--port', '0', '--assembly', assembly],
      { cwd: ROOT },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => /Ready in \d+\.\d s/.test(out) && resolve());
      void exited.then((code) => reject(new Error(`local exited early with ${code}: ${out}`)));
    });

    // Act
    child.kill('SIGTERM');

    // Assess
    expect(out).not.toContain('Synthesiz');
    expect(out).toMatch(/^ {2}Pipeline +\d+ resources: \d+ queues/m);
    expect(await exited).toBe(0);
  }, 120_000);

  test('local refuses a port that is in use, saying so', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as { port: number }).port);

    const { code, stderr } = decoupled('local', '--port', port);
    server.close();

    expect(code).toBe(1);
    expect(stderr).toContain(
      `decoupled: port ${port} on 127.0.0.1 is in use (another npm start or emulator?)`,
    );
  });
});
