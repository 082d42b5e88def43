/**
 * npm start's command line before anything slow happens: --help, a bad flag, flags npm took for itself, and a port
 * in use, each answered before any synthesis. The command runs as `npm start` runs it (tsx bin/decoupled.ts local).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Runs `decoupled local ARGS`; resolves with its exit code, output and how long it took. */
function local(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/decoupled.ts', 'local', ...args],
      { cwd: ROOT, env: { ...process.env, npm_lifecycle_event: '', ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** An app command that fails at once: had the check come after the synthesis, the output would say so. */
const FAILING_APP = ['--app', 'node -e "process.exit(3)"'];

describe('npm start -- …', () => {
  test('--help prints the usage, with the flags npm start takes after --', async () => {
    const { code, stdout } = await local(['--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('[--verbose]');
    expect(stdout).toContain('npm start -- --port 4600');
  }, 30_000);

  test('a misspelt flag exits with code 2 and the usage', async () => {
    const { code, stderr } = await local(['--prot', '4600', ...FAILING_APP]);

    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--prot'");
    expect(stderr).toContain('npm start -- --port 4600');
    expect(stderr).not.toContain('Synthesizing');
  }, 30_000);

  test('npm start --port 4600 (no --): npm took the flag, and the message says where it goes', async () => {
    // npm sets npm_config_port=true and passes on only the value
    const { code, stderr } = await local(['4600'], { npm_lifecycle_event: 'start', npm_config_port: 'true' });

    expect(code).toBe(2);
    expect(stderr).toContain('npm took --port for itself');
    expect(stderr).toContain('npm start -- --port');
  }, 30_000);

  describe('a port in use', () => {
    let server: Server;
    let port: number;

    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('is refused before the synthesis, with the flag that picks another', async () => {
      const { code, stdout, stderr, ms } = await local(['--port', String(port), ...FAILING_APP]);

      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(stderr).toContain(`npm start -- --port ${port + 1}`);
      // nothing of the synthesis ran: no line of it, and no more time than starting the command takes
      expect(stdout).not.toMatch(/Synthesiz|cdk\.out/);
      expect(stderr).not.toContain('the app (node -e');
      expect(ms).toBeLessThan(20_000);
    }, 30_000);
  });
});
