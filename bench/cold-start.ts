/**
 * Cold start (issue 18): how long `npm start` takes to Ready, first and warm, against `npx cdk synth` of the same
 * app measured in the same run; and the bare emulator from compiled JavaScript (dist/) against tsx.
 *
 * It works on a copy of the project's sources (node_modules linked) so this checkout's cdk.out is untouched, with
 * a build cache of its own (DECOUPLED_CACHE_DIR) that starts empty: the first runs pay what a fresh clone pays.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FigureInput } from './figures';

const ROOT = path.join(__dirname, '..');
/** What a project copy needs: the app, the command line and what they read. */
const PROJECT_FILES = [
  'bin',
  'lib',
  'lambda',
  'docs',
  'cdk.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

export interface ColdStartResult {
  readonly figures: FigureInput[];
  readonly header: string[];
  readonly rows: string[][];
}

/** A copy of the project, its node_modules linked, no cdk.out and no dist/. */
function projectCopy(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'decoupled-cold-start-'));
  for (const entry of PROJECT_FILES)
    cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Runs a command to its end, in milliseconds; throws with its output when it fails. */
function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  }
  return performance.now() - started;
}

/** `npm start` as its script runs it, from launch to its Ready line, then stopped; the synthesis line too. */
function startToReady(cwd: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; synthesis: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['bin/decoupled.js', 'local', '--port', '0'], { cwd, env });
    let out = '';
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
      if (/^Ready in /m.test(out)) {
        const ms = performance.now() - started;
        child.kill('SIGTERM');
        const synthesis = /^(Synthesiz.*|cdk\.out is up to date.*)$/m.exec(out)?.[1] ?? '';
        child.once('exit', () => resolve({ ms, synthesis }));
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => {
      if (!/^Ready in /m.test(out))
        reject(new Error(`npm start exited with ${code} before Ready: ${out.slice(-2000)}`));
    });
  });
}

/** A bare emulator from launch to its listening line, and its resident memory a second later (idle). */
function emulatorStart(cwd: string, args: string[]): Promise<{ ms: number; rssMiB: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args, 'emulator', '--port', '0'], { cwd });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!/^listening on /m.test(out) || out.includes('\0')) return;
      out += '\0';
      const ms = performance.now() - started;
      setTimeout(() => {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
        child.kill('SIGTERM');
        child.once('exit', () => resolve({ ms, rssMiB: rssKiB / 1024 }));
      }, 1000);
    });
    child.on('error', reject);
  });
}

export async function benchColdStart(): Promise<ColdStartResult> {
  const copy = projectCopy();
  const cache = mkdtempSync(path.join(tmpdir(), 'decoupled-cold-cache-'));
  const env = { ...process.env, DECOUPLED_CACHE_DIR: cache };
  const emptyCache = mkdtempSync(path.join(tmpdir(), 'decoupled-cold-cache-'));
  try {
    const distMs = timed(process.execPath, ['bin/build-dist.js'], copy, env);
    // the baseline: the CDK CLI's synthesis of the app as a fresh clone pays it (empty build cache)
    const cdkSynthMs = timed('npx', ['cdk', 'synth', '--quiet'], copy, env);
    const afterCdkSynth = await startToReady(copy, env);
    rmSync(path.join(copy, 'cdk.out'), { recursive: true, force: true });
    const firstCold = await startToReady(copy, { ...process.env, DECOUPLED_CACHE_DIR: emptyCache });
    rmSync(path.join(copy, 'cdk.out'), { recursive: true, force: true });
    const firstWarmCache = await startToReady(copy, env);
    const warm = await startToReady(copy, env);
    const compiled = await emulatorStart(copy, ['bin/decoupled.js']);
    const typescript = await emulatorStart(copy, ['--import', 'tsx', 'bin/decoupled.ts']);

    const cdkSynth = { name: 'cold-start.cdk-synth', value: cdkSynthMs };
    const tsxEmulator = { name: 'cold-start.emulator.tsx', value: typescript.ms };
    const figures: FigureInput[] = [
      { name: cdkSynth.name, label: 'npx cdk synth, empty build cache', value: cdkSynthMs, unit: 'ms' },
      {
        name: 'cold-start.first',
        label: 'first npm start to Ready (no cdk.out, empty build cache)',
        value: firstCold.ms,
        unit: 'ms',
        baseline: cdkSynth,
        goal: { on: 'ratio', op: '<=', limit: 0.4 },
      },
      {
        name: 'cold-start.first-cached',
        label: 'npm start to Ready, no cdk.out, bundles and validation cached',
        value: firstWarmCache.ms,
        unit: 'ms',
        baseline: cdkSynth,
      },
      {
        name: 'cold-start.after-cdk-synth',
        label: 'npm start to Ready after a hand-run cdk synth',
        value: afterCdkSynth.ms,
        unit: 'ms',
        baseline: cdkSynth,
      },
      {
        name: 'cold-start.warm',
        label: 'warm npm start to Ready (cdk.out up to date)',
        value: warm.ms,
        unit: 'ms',
        goal: { on: 'value', op: '<', limit: 1000 },
      },
      { name: 'cold-start.build-dist', label: 'npm run build:dist', value: distMs, unit: 'ms' },
      {
        name: tsxEmulator.name,
        label: 'bare emulator to listening, through tsx',
        value: typescript.ms,
        unit: 'ms',
      },
      {
        name: 'cold-start.emulator.compiled',
        label: 'bare emulator to listening, compiled (dist/)',
        value: compiled.ms,
        unit: 'ms',
        baseline: tsxEmulator,
        goal: { on: 'value', op: '<', limit: 500 },
      },
      {
        name: 'cold-start.emulator.tsx-rss',
        label: 'idle RSS, through tsx',
        value: typescript.rssMiB,
        unit: 'MiB',
      },
      {
        name: 'cold-start.emulator.compiled-rss',
        label: 'idle RSS, compiled (dist/)',
        value: compiled.rssMiB,
        unit: 'MiB',
        goal: { on: 'value', op: '<=', limit: 60 },
      },
    ];
    const notes: Record<string, string> = {
      'cold-start.first': firstCold.synthesis,
      'cold-start.first-cached': firstWarmCache.synthesis,
      'cold-start.after-cdk-synth': afterCdkSynth.synthesis,
      'cold-start.warm': warm.synthesis,
    };
    const rows = figures.map((f) => [
      f.label,
      f.unit === 'ms' ? `${(f.value / 1000).toFixed(2)} s` : `${f.value.toFixed(0)} ${f.unit}`,
      f.baseline ? `${(f.value / f.baseline.value).toFixed(2)}×` : '',
      f.goal
        ? `${f.goal.on === 'ratio' ? 'ratio ' : ''}${f.goal.op === '<' ? '<' : '≤'} ${f.goal.limit}`
        : '',
      notes[f.name] ?? '',
    ]);
    return { figures, header: ['measure', 'result', 'vs baseline', 'goal', 'synthesis'], rows };
  } finally {
    rmSync(copy, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
    rmSync(emptyCache, { recursive: true, force: true });
  }
}
