/** The real app synthesized for the local-mode tests (started by test/global-setup.ts), and waiting for it. */
import { existsSync, mkdirSync, readFileSync, watch } from 'node:fs';
import * as path from 'node:path';
import { cacheDirectory } from '../../lib/build-cache/cache-directory';

/** In the checkout's own cache folder: suites of two clones running at once each synthesize their own. */
export const TEST_ASSEMBLY = path.join(cacheDirectory(path.join(__dirname, '..', '..')), 'test-assembly');
/** Set by test/global-setup.ts for its run (workers inherit it): concurrent Jest runs each wait for their own. */
const STATUS_VARIABLE = 'DECOUPLED_statusFile';

/** A new status file for this run, named for the workers to find. */
export function newStatusFile(): string {
  const file = `${TEST_ASSEMBLY}.${process.pid}.status.json`;
  mkdirSync(path.dirname(file), { recursive: true });
  process.env[STATUS_VARIABLE] = file;
  return file;
}

/** How long the local-mode tests wait for the synthesis and the deployment (the synthesis shares the CPU). */
export const TEST_ASSEMBLY_TIMEOUT_MS = 240_000;

/** Resolves with the assembly directory once the synthesis has finished; rejects with its error if it failed. */
export async function testAssembly(): Promise<string> {
  const statusFile = process.env[STATUS_VARIABLE];
  if (statusFile === undefined) throw new Error(`${STATUS_VARIABLE} is not set: run the tests with Jest`);
  if (!existsSync(statusFile)) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        watcher.close();
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      // the status file is written once, whole: its appearance in the directory is the signal
      const watcher = watch(path.dirname(statusFile), () => {
        if (existsSync(statusFile)) done();
      });
      const timer = setTimeout(
        () => done(new Error(`the app's synthesis did not finish within ${TEST_ASSEMBLY_TIMEOUT_MS} ms`)),
        TEST_ASSEMBLY_TIMEOUT_MS,
      );
      if (existsSync(statusFile)) done();
    });
  }
  const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { ok: boolean; error?: string };
  if (!status.ok) throw new Error(`synthesizing the app for the local-mode tests failed:\n${status.error}`);
  return TEST_ASSEMBLY;
}
