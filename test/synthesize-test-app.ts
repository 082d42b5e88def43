/**
 * Synthesizes the real app for the local-mode tests, in a process of its own started by test/global-setup.ts, so
 * the other test files run meanwhile. Writes the status file `{ "ok": true }` or the error, whole (by a rename).
 */
import { renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { synthesizeApp } from '../lib/local/synthesis';

const [outdir, statusFile] = process.argv.slice(2);

function report(status: object): void {
  writeFileSync(`${statusFile}.partial`, JSON.stringify(status));
  renameSync(`${statusFile}.partial`, statusFile);
}

synthesizeApp({ root: path.join(__dirname, '..'), outdir }).then(
  (result) => report({ ok: true, synthesized: result.synthesized, ms: result.durationMs }),
  (error: unknown) => report({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
);
