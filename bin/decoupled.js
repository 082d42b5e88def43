#!/usr/bin/env node
// `npx decoupled`, `npm start`, `npm run emulator`: runs the command line compiled to JavaScript (dist/decoupled.js,
// made by `npm run build:dist`, which npm ci runs), in this process: no TypeScript is loaded at start. When the
// sources changed since dist/ was built, dist/ is rebuilt first (esbuild, about a second); if that fails, the
// TypeScript runs through tsx's loader instead, as in development, saying so once.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { buildDist, DIST, distStaleReason } = require('./build-dist');

function runCompiled() {
  require(path.join(DIST, 'decoupled.js'));
}

/** The TypeScript through tsx, in a child process (one Node process, not the second npx a tsx shebang costs). */
function runTypeScript() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'decoupled.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Ctrl-C reaches the command itself (a redrive cancels its move task first): this launcher waits for it
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

if (distStaleReason() === undefined) {
  runCompiled();
} else {
  let build;
  try {
    build = buildDist();
  } catch (error) {
    build = Promise.reject(error);
  }
  build.then(runCompiled, (error) => {
    const why = String(error?.message ?? error).split('\n')[0];
    console.error(`decoupled: running the TypeScript through tsx (dist/ could not be built: ${why})`);
    runTypeScript();
  });
}
