/**
 * Synthesizes the real app once per test run (bundled Lambda code included) for the local-mode end-to-end
 * tests, which deploy it into the emulator. Reused across runs while the sources are unchanged.
 */
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesizeApp } from '../lib/local/synthesis';

export const TEST_ASSEMBLY = path.join(tmpdir(), 'decoupled-test-assembly');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const result = await synthesizeApp({ root: path.join(__dirname, '..'), outdir: TEST_ASSEMBLY });
  if (result.synthesized) {
    process.stdout.write(`\nSynthesized the app for the local-mode tests in ${Date.now() - started} ms\n`);
  }
}
