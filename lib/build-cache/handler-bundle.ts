/**
 * Lambda handler bundles made with esbuild's API in this process, where CDK's NodejsFunction runs `npx esbuild`
 * once per function (about half a second of npx each), and kept in the checkout's cache folder so that npm start,
 * `cdk synth` and the tests build each bundle once per change of its sources.
 *
 * A bundle is found by a key (the entry, the esbuild options and version, the lockfiles, package.json and
 * tsconfig.json) and then by the content of the project files esbuild read for it last time (its metafile
 * inputs outside node_modules, which the lockfiles stand for). A changed import can only come from a changed
 * input, so the inputs of the previous build are the ones to check.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import {
  type BuildOptions,
  type BuildResult,
  build as buildAsync,
  buildSync,
  version as esbuildVersion,
} from 'esbuild';
import { cacheDirectory } from './cache-directory';

/** How a handler is bundled: NodejsFunction's options that this project sets. */
export interface HandlerBundleOptions {
  /** The handler's TypeScript (or JavaScript) entry file. */
  readonly entry: string;
  /** The project (package-lock.json's folder): esbuild's working directory, and where the cache lives. */
  readonly projectRoot: string;
  /** esbuild's target, e.g. `node24`. */
  readonly target: string;
  readonly minify: boolean;
  /** A linked source map beside the code (`index.js.map`), as NodejsFunction's `sourceMap: true` makes. */
  readonly sourceMap: boolean;
}

export interface HandlerBundle {
  /** sha256 of the bundle's files: the same code has the same hash wherever and whenever it was built. */
  readonly hash: string;
  /** The cached folder holding `index.js` (and `index.js.map`). */
  readonly directory: string;
  /** The file names in {@link directory}. */
  readonly files: readonly string[];
  /** True when this call ran esbuild; false when the bundle came from the cache. */
  readonly built: boolean;
}

/** What a cached bundle folder records about itself. */
interface BundleRecord {
  readonly hash: string;
  readonly files: readonly string[];
}

/** Bumped when the cache layout or what goes into a key changes. */
const CACHE_VERSION = 1;
/** Variants (source states) kept per key: switching branches back and forth finds its bundles again. */
const VARIANTS_KEPT = 6;
const RECORD_FILE = 'bundle.json';
const INPUTS_FILE = 'inputs.json';

/**
 * How this project bundles every handler and the worker fleet's code, as NodejsFunction's bundling options said
 * it: minified, a source map beside it, the AWS SDK bundled in (no external modules) so the asset is self-contained
 * and pinned to the SDK version tested here.
 */
export const HANDLER_BUNDLING = { target: 'node24', minify: true, sourceMap: true } as const;

/** The bundle of `options.entry`: from the cache when its sources are unchanged, built (and cached) otherwise. */
export function handlerBundle(options: HandlerBundleOptions): HandlerBundle {
  const keyDirectory = keyDirectoryOf(options);
  return cachedBundle(options, keyDirectory) ?? build(options, keyDirectory);
}

/**
 * Builds the bundles of `list` the cache lacks, all at once with esbuild's asynchronous API (its service uses
 * every core), into the cache: a synthesis started while they build (loading aws-cdk-lib is seconds of one core)
 * then finds them there. Resolves to how many it built; a failure is left for {@link handlerBundle} to report.
 */
export async function prebuildHandlerBundles(list: readonly HandlerBundleOptions[]): Promise<number> {
  const missing = list
    .map((options) => ({ options, keyDirectory: keyDirectoryOf(options) }))
    .filter(({ options, keyDirectory }) => cachedBundle(options, keyDirectory) === undefined);
  const built = await Promise.allSettled(
    missing.map(async ({ options, keyDirectory }) => {
      const result = await buildAsync({
        ...esbuildOptions(options),
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      store(options, keyDirectory, result);
    }),
  );
  return built.filter((outcome) => outcome.status === 'fulfilled').length;
}

function keyDirectoryOf(options: HandlerBundleOptions): string {
  return path.join(cacheDirectory(options.projectRoot), 'bundles', bundleKey(options));
}

function cachedBundle(options: HandlerBundleOptions, keyDirectory: string): HandlerBundle | undefined {
  const inputs = readJson<string[]>(path.join(keyDirectory, INPUTS_FILE));
  if (inputs === undefined) return undefined;
  const directory = path.join(keyDirectory, sourcesHash(options.projectRoot, inputs));
  const record = readJson<BundleRecord>(path.join(directory, RECORD_FILE));
  return record === undefined ? undefined : { ...record, directory, built: false };
}

/** Copies the bundle's files into `outputDir` (a copy, not a link: an edited asset must not edit the cache). */
export function copyHandlerBundle(bundle: HandlerBundle, outputDir: string): void {
  for (const file of bundle.files)
    copyFileSync(path.join(bundle.directory, file), path.join(outputDir, file));
}

function build(options: HandlerBundleOptions, keyDirectory: string): HandlerBundle {
  return store(
    options,
    keyDirectory,
    buildSync({ ...esbuildOptions(options), write: false, metafile: true }),
  );
}

/** Keeps what esbuild made in the cache. */
function store(
  options: HandlerBundleOptions,
  keyDirectory: string,
  result: BuildResult<{ write: false; metafile: true }>,
): HandlerBundle {
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.split(/[\\/]/).includes('node_modules'))
    .sort();
  const files = result.outputFiles.map((file) => path.basename(file.path)).sort();
  const hash = createHash('sha256');
  for (const file of [...result.outputFiles].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${path.basename(file.path)}\0${file.contents.length}\0`).update(file.contents);
  }
  const record: BundleRecord = { hash: hash.digest('hex'), files };
  const directory = path.join(keyDirectory, sourcesHash(options.projectRoot, inputs));
  // written whole under a temporary name, then renamed: a concurrent synthesis sees all of a bundle or none
  mkdirSync(keyDirectory, { recursive: true });
  const temporary = mkdtempSync(path.join(keyDirectory, '.building-'));
  for (const file of result.outputFiles)
    writeFileSync(path.join(temporary, path.basename(file.path)), file.contents);
  writeFileSync(path.join(temporary, RECORD_FILE), JSON.stringify(record));
  try {
    renameSync(temporary, directory);
  } catch {
    // another process cached the same sources first: theirs is the same bundle
    rmSync(temporary, { recursive: true, force: true });
  }
  writeJsonAtomically(path.join(keyDirectory, INPUTS_FILE), inputs);
  pruneVariants(keyDirectory);
  return { ...record, directory, built: true };
}

/** esbuild's options for NodejsFunction's command line (`esbuild --bundle entry --target=… --platform=node …`). */
function esbuildOptions(options: HandlerBundleOptions): BuildOptions {
  return {
    entryPoints: [path.resolve(options.entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: options.target,
    minify: options.minify,
    sourcemap: options.sourceMap,
    absWorkingDir: options.projectRoot,
    // The source map's paths are relative to the output file: placed where `cdk synth` bundles
    // (cdk.out/bundling-temp-…), they read as they always have (../../lambda/…), whichever folder the asset
    // ends up in, so the bytes (and the asset hash) do not depend on where the app was synthesized.
    outfile: path.join(options.projectRoot, 'cdk.out', 'bundling-temp', 'index.js'),
    logLevel: 'warning',
  };
}

/** The cache key: everything but the project's own sources that decides the bundle's bytes. */
function bundleKey(options: HandlerBundleOptions): string {
  const root = options.projectRoot;
  const key = {
    version: CACHE_VERSION,
    esbuild: esbuildVersion,
    entry: path.relative(root, path.resolve(options.entry)).split(path.sep).join('/'),
    target: options.target,
    minify: options.minify,
    sourceMap: options.sourceMap,
    // what is installed (node_modules/.package-lock.json, written by npm install/ci) and what should be;
    // package.json and tsconfig.json are read by esbuild itself (module type, side effects, paths, class fields)
    files: ['package-lock.json', 'node_modules/.package-lock.json', 'package.json', 'tsconfig.json'].map(
      (file) => fileHash(path.join(root, file)),
    ),
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

/** Files hashed once per process while their size and modification time stay the same (the lockfile is large). */
const fileHashes = new Map<string, { readonly stamp: string; readonly hash: string }>();

function fileHash(file: string): string {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return 'none';
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  const known = fileHashes.get(file);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  fileHashes.set(file, { stamp, hash });
  return hash;
}

/** A hash of the inputs' paths and contents (a missing input counts as missing). */
function sourcesHash(root: string, inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) {
    let content: Buffer | string;
    try {
      content = readFileSync(path.resolve(root, input));
    } catch {
      content = '\0missing';
    }
    hash.update(`${input}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex').slice(0, 32);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.partial`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, file);
}

/** Keeps the newest {@link VARIANTS_KEPT} source states of a key; older ones (and abandoned builds) go. */
function pruneVariants(keyDirectory: string): void {
  const hourAgo = Date.now() - 3_600_000;
  const entries = readdirSync(keyDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const full = path.join(keyDirectory, entry.name);
      return { full, building: entry.name.startsWith('.'), modified: statSync(full).mtimeMs };
    });
  const variants = entries.filter((entry) => !entry.building).sort((a, b) => b.modified - a.modified);
  const stale = [
    ...variants.slice(VARIANTS_KEPT),
    ...entries.filter((entry) => entry.building && entry.modified < hourAgo),
  ];
  for (const entry of stale) rmSync(entry.full, { recursive: true, force: true });
}

/** The folder of the package-lock.json nearest above `entry` (NodejsFunction's project root). */
export function projectRootOf(entry: string): string | undefined {
  let directory = path.dirname(path.resolve(entry));
  for (;;) {
    if (existsSync(path.join(directory, 'package-lock.json'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
