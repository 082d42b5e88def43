import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

test('cdk synth of an invalid stage prints every problem, without a stack trace, and exits 1', () => {
  // Prepare: the CDK CLI hands context to the app through CDK_CONTEXT_JSON.
  const outdir = mkdtempSync(path.join(tmpdir(), 'decoupled-app-'));

  // Act
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ stage: 'qa', queueRetentionDays: '30' }),
    },
  });
  rmSync(outdir, { recursive: true, force: true });

  // Assess
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([
    'Stage configuration is invalid (2 problems):',
    '  - stage must be one of sandbox, dev, prod, but "qa" was provided',
    expect.stringMatching(
      /^ {2}- queueRetentionDays must be a whole number from 1 to 13 .* but "30" was provided$/,
    ),
  ]);
});
