import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

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
});
