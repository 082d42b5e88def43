#!/usr/bin/env -S npx tsx
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { formatSummary, summarizeAssembly } from '../lib/assembly-summary';
import { buildApp } from '../lib/decoupled-app';

const ROOT = path.join(__dirname, '..');
const USAGE = `Usage: decoupled <command> [options]

Commands:
  local [--stage sandbox|dev|prod]   synthesize the app into cdk.out and print each stack's resources and outputs
  emulator [--port N] [--host H]     run a bare local AWS emulator (no app deployed), see docs/emulator.md
  help                               show this text`;

/** Thrown for a command line we cannot run; printed without a stack trace, exit code 2. */
class UsageError extends Error {}

/** `npm start`: synthesizes the app as `cdk synth` does and prints what it would deploy. */
function local(args: string[]): void {
  const { values } = parseArgs({ args, options: { stage: { type: 'string' } }, strict: true });
  const started = Date.now();
  const context = { ...JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context };
  if (values.stage !== undefined) context.stage = values.stage;

  console.log(`Synthesizing the app (stage ${context.stage}) into cdk.out ...`);
  const app = new App({ outdir: path.join(ROOT, 'cdk.out'), context });
  buildApp(app);
  const stacks = summarizeAssembly(app.synth());
  console.log(formatSummary(stacks));
  console.log(`
Synthesized ${stacks.length} stacks in ${((Date.now() - started) / 1000).toFixed(1)} s; templates and bundled Lambda code are in cdk.out/.
Local emulation of these stacks is not available yet: for now, deploy them to a sandbox account with
'npm run deploy' (see README.md).`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'local':
      return local(args);
    case 'emulator': {
      // Loaded on demand: `local` needs none of the emulator.
      const { runEmulatorCli } = await import('../lib/emulator/main');
      return runEmulatorCli(args);
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`decoupled: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
  process.exitCode = usage ? 2 : 1;
});
