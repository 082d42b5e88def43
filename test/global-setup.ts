/**
 * Starts synthesizing the real app (bundled Lambda code included) for the local-mode end-to-end tests, which deploy
 * it into the emulator. It runs in a process of its own while the other test files run; the local-mode tests await
 * it (test/helpers/test-assembly.ts). Reused across runs while the sources are unchanged.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { newStatusFile, TEST_ASSEMBLY } from './helpers/test-assembly';

/** Test files that deploy the synthesized app name one of these. */
const NEEDS_ASSEMBLY = /testAssembly|startLocalApp/;

/** Whether a run selected by `pattern` (Jest's test path pattern; empty: every file) has a file that needs it. */
function runNeedsAssembly(pattern: string | undefined): boolean {
  if (!pattern) return true;
  const selected = new RegExp(pattern, 'i');
  return readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join(__dirname, file))
    .some((file) => selected.test(file) && NEEDS_ASSEMBLY.test(readFileSync(file, 'utf8')));
}

/** Status files of runs over a day old (one is left per run): a run still going has a newer one. */
function forgetOldStatusFiles(directory: string): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(directory)) {
    const file = path.join(directory, name);
    if (
      name.endsWith('.status.json') &&
      (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? dayAgo) < dayAgo
    ) {
      rmSync(file, { force: true });
    }
  }
}

export default function globalSetup(globalConfig: { testPathPattern?: string }): void {
  const statusFile = newStatusFile();
  rmSync(statusFile, { force: true });
  forgetOldStatusFiles(path.dirname(statusFile));
  // a run of a few files that deploy nothing need not pay for a synthesis (the CPU is shared)
  if (!runNeedsAssembly(globalConfig.testPathPattern)) return;
  const root = path.join(__dirname, '..');
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(__dirname, 'synthesize-test-app.ts'),
      TEST_ASSEMBLY,
      statusFile,
    ],
    // no CloudFormation validation: it changes no template, and test/app.test.ts validates the app
    { cwd: root, stdio: 'inherit', env: { ...process.env, CDK_VALIDATION: 'false' } },
  );
  // Jest waits for no one: the status file is how the tests learn the outcome, whichever way it goes
  child.unref();
}
