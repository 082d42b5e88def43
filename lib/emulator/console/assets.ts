/**
 * The console's browser assets: ui/main.ts and ui/console.css bundled by esbuild (already a dependency) on the
 * first visit, then kept for the process. Nothing is fetched from a CDN: the console works offline.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface ConsoleAssets {
  readonly script: string;
  readonly style: string;
  /** The page: its script and style are separate files, so the Content-Security-Policy can forbid inline ones. */
  readonly page: string;
}

let built: Promise<ConsoleAssets> | undefined;

/** The bundled assets, built once per process. */
export function consoleAssets(): Promise<ConsoleAssets> {
  built ??= build().catch((error: unknown) => {
    // a failed build is retried on the next visit (a syntax error being fixed under `npm start`)
    built = undefined;
    throw error;
  });
  return built;
}

async function build(): Promise<ConsoleAssets> {
  // loaded on first use: a bare emulator that nobody opens in a browser never pays for esbuild
  const esbuild = await import('esbuild');
  const directory = path.join(__dirname, 'ui');
  const result = await esbuild.build({
    entryPoints: [path.join(directory, 'main.ts')],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  const style = readFileSync(path.join(directory, 'console.css'), 'utf8');
  return { script: result.outputFiles[0].text, style, page: PAGE };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>decoupled console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_console/console.css">
<script src="/_console/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">decoupled <small>local console</small></span>
  <nav aria-label="Pages"><ul id="nav"></ul></nav>
  <div id="clock" class="clock" aria-live="polite"></div>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
</body>
</html>
`;
