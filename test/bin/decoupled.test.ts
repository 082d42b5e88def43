import { spawn, spawnSync } from 'node:child_process';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import * as path from 'node:path';
import { sqsClientFor } from '../helpers/emulator';

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
    expect(stdout).toContain('local [--stage sandbox|dev|prod]');
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
});
