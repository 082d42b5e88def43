/**
 * The bare emulator in a child process on a `--state-dir`, for the kill -9 tests: bundled once (tsx would compile
 * it on every start), started, killed with SIGKILL and started again on the same directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');

export interface EmulatorChild {
  /** A fresh temporary folder of this test file (the bundle lives there too). */
  readonly work: () => string;
  /** Starts the emulator on `stateDir`; resolves with its endpoint once it prints `listening on`. */
  start(stateDir: string): Promise<string>;
  /** SIGKILL, resolved once the process has exited. */
  kill(): Promise<void>;
}

/** Registers the bundle's build (beforeAll) and the clean-up (afterAll) of one test file. */
export function emulatorChild(prefix: string): EmulatorChild {
  let work: string;
  let bundle: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), prefix));
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

  return {
    work: () => work,
    start(stateDir) {
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
    },
    kill() {
      const killed = child as ChildProcess;
      child = undefined;
      return new Promise((resolve) => {
        killed.once('exit', () => resolve());
        killed.kill('SIGKILL');
      });
    },
  };
}
