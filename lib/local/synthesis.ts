/**
 * `npm start`'s synthesis: the app into cdk.out, as `cdk synth` makes it (bundled Lambda code, cdk-nag,
 * CloudFormation validation), skipped when cdk.out is already the synthesis of the same sources and stage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface SynthesisOptions {
  /** The project root (cdk.json, bin/, lib/, lambda/). */
  readonly root: string;
  /** The assembly directory. @default <root>/cdk.out */
  readonly outdir?: string;
  /** Overrides cdk.json's `stage` context. */
  readonly stage?: string;
  /** Synthesize even when cdk.out looks up to date. @default false */
  readonly force?: boolean;
}

export interface SynthesisResult {
  readonly outdir: string;
  readonly stage: string;
  /** False when cdk.out was up to date and reused. */
  readonly synthesized: boolean;
  readonly durationMs: number;
}

/** What the app's synthesis depends on: its sources, its config, and the installed packages. */
const SOURCES = ['bin', 'lib', 'lambda', 'cdk.json', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Sources that do not change what synthesizes: the emulator and local mode themselves. */
const NOT_SYNTHESIZED = new Set([path.join('lib', 'emulator'), path.join('lib', 'local')]);
const STAMP_FILE = 'decoupled-local.json';

export async function synthesizeApp(options: SynthesisOptions): Promise<SynthesisResult> {
  const started = Date.now();
  const outdir = options.outdir ?? path.join(options.root, 'cdk.out');
  const context = { ...JSON.parse(readFileSync(path.join(options.root, 'cdk.json'), 'utf8')).context };
  if (options.stage !== undefined) context.stage = options.stage;
  const fingerprint = sourceFingerprint(options.root, context);
  if (!options.force && upToDate(outdir, fingerprint)) {
    return { outdir, stage: String(context.stage), synthesized: false, durationMs: Date.now() - started };
  }
  // Loaded on demand: reusing cdk.out needs none of aws-cdk-lib (about a second to load)
  const { App } = await import('aws-cdk-lib');
  const { buildApp } = await import('../decoupled-app');
  const app = new App({ outdir, context });
  buildApp(app);
  app.synth();
  writeFileSync(
    path.join(outdir, STAMP_FILE),
    JSON.stringify({ fingerprint, manifestModified: statSync(path.join(outdir, 'manifest.json')).mtimeMs }),
  );
  return { outdir, stage: String(context.stage), synthesized: true, durationMs: Date.now() - started };
}

/** Up to date: synthesized by us from the same fingerprint, and not rewritten since (say by `cdk synth -c ...`). */
function upToDate(outdir: string, fingerprint: string): boolean {
  const manifest = path.join(outdir, 'manifest.json');
  const stampFile = path.join(outdir, STAMP_FILE);
  if (!existsSync(manifest) || !existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as {
      fingerprint?: string;
      manifestModified?: number;
    };
    return stamp.fingerprint === fingerprint && stamp.manifestModified === statSync(manifest).mtimeMs;
  } catch {
    return false;
  }
}

/** A hash of every source file's path, size and modification time, and of the context. */
function sourceFingerprint(root: string, context: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(context));
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
