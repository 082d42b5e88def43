/**
 * `npm start`'s synthesis: the app into cdk.out, as `cdk synth` makes it (bundled Lambda code, cdk-nag,
 * CloudFormation validation), skipped when cdk.out is already the synthesis of the same sources, context and app,
 * whether npm start or a hand-run `cdk synth` made it (bin/app.ts records its synthesis the same way). The Lambda
 * bundles and the validation report come from the checkout's build cache (lib/build-cache) when unchanged.
 * This app synthesizes in process; any other CDK app (`--app CMD`) runs as the CDK CLI runs it (CDK_OUTDIR,
 * CDK_CONTEXT_JSON).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { HANDLER_BUNDLING, prebuildHandlerBundles } from '../build-cache/handler-bundle';
import type { DeferredValidation } from '../build-cache/template-validation';

export interface SynthesisOptions {
  /** The project root (cdk.json, bin/, lib/, lambda/). */
  readonly root: string;
  /** The assembly directory. @default <root>/cdk.out */
  readonly outdir?: string;
  /** Overrides cdk.json's `stage` context (`--stage S`, the same as `-c stage=S`). */
  readonly stage?: string;
  /** Context given on the command line (`-c key=value`), over cdk.json's. */
  readonly context?: Readonly<Record<string, string>>;
  /** A CDK app command to run instead of this app (`--app "npx tsx bin/other.ts"`), from the root. */
  readonly app?: string;
  /** Synthesize even when cdk.out looks up to date. @default false */
  readonly force?: boolean;
  /** Called before synthesizing, with the reason cdk.out is not reused ("sources changed", "no cdk.out" …). */
  readonly onSynthesize?: (reason: string) => void;
  /**
   * Validate templates the build cache has no report for after the synthesis, in a worker thread
   * ({@link SynthesisResult.validation}), instead of during it (this app only). @default false
   */
  readonly deferValidation?: boolean;
}

export interface SynthesisResult {
  readonly outdir: string;
  /** The `stage` context the app got (cdk.json's unless overridden); undefined when none. */
  readonly stage: string | undefined;
  /** False when cdk.out was up to date and reused. */
  readonly synthesized: boolean;
  /** Why cdk.out was synthesized again; undefined when it was reused. */
  readonly reason?: string;
  readonly durationMs: number;
  /** The CloudFormation validation still running, when {@link SynthesisOptions.deferValidation} deferred one. */
  readonly validation?: DeferredValidation;
}

/** What the app's synthesis depends on: its sources, its config, and the installed packages. */
const SOURCES = ['bin', 'lib', 'lambda', 'cdk.json', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Sources that do not change what synthesizes: the emulator and local mode themselves. */
const NOT_SYNTHESIZED = new Set([path.join('lib', 'emulator'), path.join('lib', 'local')]);
const STAMP_FILE = 'decoupled-local.json';
/** The app command the stamp records for this app, synthesized in process. */
const THIS_APP = 'this app';

/** What cdk.out was made from, recorded beside it. */
interface Stamp {
  readonly sources?: string;
  readonly context?: Record<string, unknown>;
  readonly app?: string;
  readonly manifestModified?: number;
}

export async function synthesizeApp(options: SynthesisOptions): Promise<SynthesisResult> {
  const started = Date.now();
  const outdir = options.outdir ?? path.join(options.root, 'cdk.out');
  const context = { ...projectContext(options.root), ...options.context };
  if (options.stage !== undefined) context.stage = options.stage;
  const app = options.app ?? THIS_APP;
  const stage = context.stage === undefined ? undefined : String(context.stage);
  const wanted: Stamp = { sources: sourceFingerprint(options.root), context, app };
  const reason = options.force ? 'asked to' : staleReason(outdir, wanted, options);
  if (reason === undefined) {
    return { outdir, stage, synthesized: false, durationMs: Date.now() - started };
  }
  options.onSynthesize?.(reason);
  if (options.app === undefined) {
    // The handlers' bundles build on esbuild's threads while this thread loads aws-cdk-lib and the app
    const prebuilt = prebuildThisAppsBundles(options.root);
    // Loaded on demand: reusing cdk.out needs none of aws-cdk-lib (about a second to load)
    const { App } = await import('aws-cdk-lib');
    const { buildApp } = await import('../decoupled-app');
    await prebuilt;
    const { useCachedTemplateValidation } = await import('../build-cache/template-validation');
    const cdkApp = new App({ outdir, context });
    const validation = useCachedTemplateValidation(cdkApp, options.root, { defer: options.deferValidation });
    buildApp(cdkApp);
    cdkApp.synth();
    writeStamp(outdir, wanted);
    const durationMs = Date.now() - started;
    return {
      outdir,
      stage,
      synthesized: true,
      reason,
      durationMs,
      validation: validation?.validateDeferred(cdkApp),
    };
  }
  await runApp(options.app, options.root, outdir, context);
  writeStamp(outdir, wanted);
  return { outdir, stage, synthesized: true, reason, durationMs: Date.now() - started };
}

/**
 * Starts bundling this app's handlers (each `lambda/<name>/index.ts`, the entries its stacks name) in the
 * background, as its constructs bundle them; what this misses, the constructs bundle themselves.
 */
function prebuildThisAppsBundles(root: string): Promise<number> {
  const lambdaDirectory = path.join(root, 'lambda');
  const entries = existsSync(lambdaDirectory)
    ? readdirSync(lambdaDirectory)
        .map((name) => path.join(lambdaDirectory, name, 'index.ts'))
        .filter((entry) => existsSync(entry))
    : [];
  // started now, before this thread blocks on loading aws-cdk-lib (esbuild's requests go out synchronously)
  return prebuildHandlerBundles(entries.map((entry) => ({ entry, projectRoot: root, ...HANDLER_BUNDLING })));
}

function writeStamp(outdir: string, made: Stamp): void {
  const stamp: Stamp = { ...made, manifestModified: statSync(path.join(outdir, 'manifest.json')).mtimeMs };
  writeFileSync(path.join(outdir, STAMP_FILE), JSON.stringify(stamp));
}

/** Context the CDK CLI gives every app besides its `aws:cdk:…` keys: it reports validation errors itself. */
const CLI_CONTEXT_KEYS: ReadonlySet<string> = new Set(['@aws-cdk/core:failSynthOnValidationErrors']);

/**
 * Records a synthesis of this app run by the CDK CLI (`cdk synth`, `npm run synth`; bin/app.ts calls it), so
 * that the next npm start reuses it. The CLI's own context keys (`aws:cdk:…`: path and asset metadata, version
 * reporting, which stacks to bundle; whether validation errors fail the synthesis) are left out; a run that
 * bundled only some stacks records nothing, since local mode runs every stack's code.
 */
export function recordCliSynthesis(root: string, outdir: string, cliContext: Record<string, unknown>): void {
  const bundled = cliContext['aws:cdk:bundling-stacks'];
  if (Array.isArray(bundled) && !bundled.includes('**')) return;
  const context = Object.fromEntries(
    Object.entries(cliContext).filter(([key]) => !key.startsWith('aws:cdk:') && !CLI_CONTEXT_KEYS.has(key)),
  );
  writeStamp(outdir, { sources: sourceFingerprint(root), context, app: THIS_APP });
}

/** cdk.json's context, as the CDK CLI gives it to the app. */
export function projectContext(root: string): Record<string, unknown> {
  const file = path.join(root, 'cdk.json');
  if (!existsSync(file)) return {};
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context };
}

/**
 * The first context key given on the command line that this app does not read, with the nearest key it does
 * (a misspelling would otherwise be silently ignored). CDK's own keys (`@aws-cdk/…`, `aws:cdk:…`) pass.
 */
export async function unknownContextKey(root: string, keys: readonly string[]): Promise<string | undefined> {
  const declared = Object.keys(projectContext(root));
  const candidates = keys.filter((key) => !declared.includes(key) && !/^@|:/.test(key));
  if (candidates.length === 0) return undefined;
  // Loaded only for a key cdk.json does not list: lib/config.ts loads aws-cdk-lib
  const { CONFIG_KEYS } = await import('../config');
  const known = [...new Set([...Object.values(CONFIG_KEYS), ...declared.filter((k) => !/^@|:/.test(k))])];
  const unknown = candidates.find((key) => !known.includes(key));
  if (unknown === undefined) return undefined;
  const nearest = known
    .map((key) => ({ key, distance: editDistance(unknown.toLowerCase(), key.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint =
    nearest !== undefined && nearest.distance <= Math.max(2, Math.floor(unknown.length / 3))
      ? ` (did you mean '${nearest.key}'?)`
      : ` (this app reads: ${known.join(', ')})`;
  return `unknown context key '${unknown}'${hint}`;
}

/** Levenshtein distance; both sides are short command-line keys (bounded by the caller). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** Why cdk.out cannot be reused, or undefined when it can. */
function staleReason(outdir: string, wanted: Stamp, options: SynthesisOptions): string | undefined {
  const manifest = path.join(outdir, 'manifest.json');
  const dir = path.basename(outdir);
  if (!existsSync(manifest)) return `no ${dir}`;
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(outdir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return `${dir} was not made by npm start`;
  }
  if (stamp.manifestModified !== statSync(manifest).mtimeMs) {
    return `${dir} was rewritten since npm start or cdk synth made it (by a cdk deploy of some stacks?)`;
  }
  if (stamp.sources === undefined) return `${dir} was made by an older npm start`;
  if (stamp.app !== wanted.app) return `${dir} is from another app (${stamp.app ?? '?'} → ${wanted.app})`;
  const changed = contextChanges(stamp.context ?? {}, wanted.context ?? {});
  if (changed !== undefined) return `${dir} is from other context (${changed})`;
  if (stamp.sources !== wanted.sources) return 'sources changed';
  // an app outside this project: its own sources are not followed, so it is synthesized every time
  if (options.app !== undefined && appOutsideProject(options.app, options.root)) {
    return 'the app lies outside this project, whose sources alone are followed';
  }
  return undefined;
}

/** `stage=dev → stage=prod`, one clause per changed key; undefined when the contexts are the same. */
function contextChanges(before: Record<string, unknown>, after: Record<string, unknown>): string | undefined {
  const show = (key: string, context: Record<string, unknown>) =>
    Object.hasOwn(context, key) ? `${key}=${display(context[key])}` : `${key} unset`;
  const clauses = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => `${show(key, before)} → ${show(key, after)}`);
  return clauses.length === 0 ? undefined : clauses.join(', ');
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Whether a file the app command names lies outside the project root. */
function appOutsideProject(command: string, root: string): boolean {
  return command
    .split(/\s+/)
    .filter((token) => /[/\\]|\.[cm]?[jt]sx?$/.test(token))
    .map((token) => path.resolve(root, token))
    .some((file) => existsSync(file) && path.relative(root, file).startsWith('..'));
}

/** Runs a CDK app command as the CDK CLI does: the assembly directory and the context in its environment. */
function runApp(
  command: string,
  root: string,
  outdir: string,
  context: Record<string, unknown>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      cwd: root,
      shell: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    });
    const manifest = path.join(outdir, 'manifest.json');
    const before = statSync(manifest, { throwIfNoEntry: false })?.mtimeMs;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const after = statSync(manifest, { throwIfNoEntry: false })?.mtimeMs;
      if (code === 0 && after !== undefined && after !== before) resolve();
      else if (code === 0) reject(new Error(`the app (${command}) wrote no cloud assembly to ${outdir}`));
      else reject(new Error(`the app (${command}) failed with ${signal ?? `exit code ${code}`}`));
    });
  });
}

/** A hash of every source file's path, size and modification time. */
function sourceFingerprint(root: string): string {
  const hash = createHash('sha256');
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat || NOT_SYNTHESIZED.has(relative)) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(full).sort()) {
        if (entry !== 'node_modules' && !entry.startsWith('.')) visit(path.join(relative, entry));
      }
    } else {
      hash.update(`${relative}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const source of SOURCES) visit(source);
  return hash.digest('hex');
}
