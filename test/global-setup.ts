/**
 * Starts synthesizing the real app (bundled Lambda code included) for the local-mode end-to-end tests, which deploy
 * it into the emulator. It runs in a process of its own while the other test files run; the local-mode tests await
 * it (test/helpers/test-assembly.ts). Reused across runs while the sources are unchanged.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { newStatusFile, TEST_ASSEMBLY } from './helpers/test-assembly';

export default function globalSetup(): void {
  const statusFile = newStatusFile();
  rmSync(statusFile, { force: true });
  const root = path.join(__dirname, '..');
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(__dirname, 'synthesize-test-app.ts'),
      TEST_ASSEMBLY,
      statusFile,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  // Jest waits for no one: the status file is how the tests learn the outcome, whichever way it goes
  child.unref();
}
