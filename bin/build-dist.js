#!/usr/bin/env node
// `npm run build:dist` (and npm ci, through `prepare`): the command line compiled to one JavaScript file,
// dist/decoupled.js, that bin/decoupled.js runs without loading TypeScript (tsx) at every start. The packages stay
// in node_modules (external); the project's own modules are bundled, those loaded on demand still on demand.
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const ENTRY = path.join(ROOT, 'bin', 'decoupled.ts');
/** What the launcher reads to tell whether dist/ is older than the sources it was built from. */
const INPUTS_FILE = path.join(DIST, 'inputs.json');

/**
 * A module that finds files beside its source (`__dirname`: the lambda entries, the console's assets, the
 * sample quotes) keeps finding them there once bundled into dist/: its `__dirname` becomes its source folder.
 */
const sourceDirname = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.tsx?$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (args.path.includes(`${path.sep}node_modules${path.sep}`) || !source.includes('__dirname'))
        return undefined;
      const relative = path.relative(DIST, path.dirname(args.path)).split(path.sep).join('/');
      const replaced = source.replace(
        /\b__dirname\b/g,
        `require('node:path').join(__dirname, ${JSON.stringify(relative)})`,
      );
      return { contents: replaced, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/** Builds dist/decoupled.js; returns the milliseconds it took. Throws esbuild's errors. */
function buildDist() {
  const started = performance.now();
  const esbuild = require('esbuild');
  mkdirSync(DIST, { recursive: true });
  const temporary = path.join(DIST, `.decoupled.${process.pid}.js`);
  return esbuild
    .build({
      entryPoints: [ENTRY],
      bundle: true,
      // node_modules stay where they are: the emulator reads the Smithy schemas inside the @aws-sdk packages
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: temporary,
      sourcemap: 'linked',
      absWorkingDir: ROOT,
      metafile: true,
      plugins: [sourceDirname],
      logLevel: 'warning',
    })
    .then(({ metafile }) => {
      // the source map keeps its name (decoupled.js.map) whatever the temporary file was called
      const map = `${temporary}.map`;
      const code = asciiOnly(readFileSync(temporary, 'utf8')).replace(
        `//# sourceMappingURL=${path.basename(map)}`,
        '//# sourceMappingURL=decoupled.js.map',
      );
      writeFileSync(temporary, code);
      renameSync(map, path.join(DIST, 'decoupled.js.map'));
      renameSync(temporary, path.join(DIST, 'decoupled.js'));
      const inputs = Object.keys(metafile.inputs).filter((input) => !input.includes('node_modules'));
      writeFileSync(
        INPUTS_FILE,
        JSON.stringify(Object.fromEntries(inputs.map((input) => [input, stamp(input)]))),
      );
      return performance.now() - started;
    });
}

/**
 * The bundle with its few non-ASCII characters escaped. esbuild escapes them in code but keeps the comments it
 * carries over as they are, and one `→` makes V8 hold the whole 1.7 MB source as a two-byte string for the life of
 * the process: 1.7 MiB more idle RSS. In a comment `\uXXXX` is just text; anywhere else it means the same character.
 */
function asciiOnly(code) {
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A source file's size and modification time, as recorded when dist/ was built. */
function stamp(input) {
  const stat = statSync(path.join(ROOT, input), { throwIfNoEntry: false });
  return stat === undefined ? 'missing' : `${stat.size}:${stat.mtimeMs}`;
}

/** Why dist/ cannot be used as it is ("missing", "lib/x.ts changed"), or undefined when it is up to date. */
function distStaleReason() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(INPUTS_FILE, 'utf8'));
    statSync(path.join(DIST, 'decoupled.js'));
  } catch {
    return 'dist/ has not been built';
  }
  for (const [input, recorded] of Object.entries(inputs)) {
    if (stamp(input) !== recorded) return `${input} changed since dist/ was built`;
  }
  return undefined;
}

module.exports = { buildDist, distStaleReason, DIST };

if (require.main === module) {
  // as npm ci's `prepare`: a failed build must not fail the install, the launcher falls back to tsx
  const prepare = process.argv.includes('--prepare');
  buildDist().then(
    (ms) => console.log(`dist/decoupled.js built in ${Math.round(ms)} ms`),
    (error) => {
      console.error(
        `build:dist failed${prepare ? ' (npx decoupled will run the TypeScript through tsx)' : ''}: ${error.message}`,
      );
      process.exitCode = prepare ? 0 : 1;
    },
  );
}
