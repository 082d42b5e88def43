#!/usr/bin/env node
// `npx decoupled`: runs the TypeScript command line with tsx's loader in one Node process, instead of the second
// npx that a `npx tsx` shebang costs (seconds per command).
const { spawn } = require('node:child_process');
const path = require('node:path');

const child = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(__dirname, 'decoupled.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// Ctrl-C reaches the command itself (a redrive cancels its move task first): this launcher waits for it
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
