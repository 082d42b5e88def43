/**
 * The handler bundles: esbuild's API instead of `npx esbuild`, cached by the content of the sources esbuild read,
 * so an unchanged handler is never bundled twice and the same code has the same hash.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CACHE_DIRECTORY_VARIABLE } from '../../lib/build-cache/cache-directory';
import {
  copyHandlerBundle,
  handlerBundle,
  type HandlerBundleOptions,
  prebuildHandlerBundles,
} from '../../lib/build-cache/handler-bundle';

describe('handler bundles', () => {
  let root: string;
  let options: HandlerBundleOptions;
  const write = (file: string, text: string) => writeFileSync(path.join(root, file), text);

  beforeEach(() => {
    // a project of its own (package-lock.json marks its root), with a cache folder of its own
    root = mkdtempSync(path.join(tmpdir(), 'decoupled-bundle-'));
    process.env[CACHE_DIRECTORY_VARIABLE] = path.join(root, 'cache');
    mkdirSync(path.join(root, 'lambda'));
    write('package-lock.json', '{}');
    write('lambda/greeting.ts', 'export const greeting = (name: string): string => `hello ${name}`;\n');
    write(
      'lambda/index.ts',
      "import { greeting } from './greeting';\nexport const handler = async () => greeting('world');\n",
    );
    options = {
      entry: path.join(root, 'lambda', 'index.ts'),
      projectRoot: root,
      target: 'node24',
      minify: true,
      sourceMap: true,
    };
  });
  afterEach(() => {
    delete process.env[CACHE_DIRECTORY_VARIABLE];
    rmSync(root, { recursive: true, force: true });
  });

  test('an unchanged handler comes from the cache; a changed import is bundled again; the old state is kept', () => {
    // Act
    const first = handlerBundle(options);
    const again = handlerBundle(options);
    write('lambda/greeting.ts', 'export const greeting = (name: string): string => `hi ${name}`;\n');
    const changed = handlerBundle(options);
    write('lambda/greeting.ts', 'export const greeting = (name: string): string => `hello ${name}`;\n');
    const reverted = handlerBundle(options);

    // Assess
    expect(first).toMatchObject({ built: true, files: ['index.js', 'index.js.map'] });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(again).toMatchObject({ built: false, hash: first.hash });
    expect(changed.built).toBe(true);
    expect(changed.hash).not.toBe(first.hash);
    expect(reverted).toMatchObject({ built: false, hash: first.hash });
  });

  test('bundles built ahead, in the background, are the ones a synthesis then finds: the same bytes, not built again', async () => {
    // Prepare: the reference, bundled in another cache
    const reference = handlerBundle(options);
    process.env[CACHE_DIRECTORY_VARIABLE] = path.join(root, 'other-cache');

    // Act
    const built = await prebuildHandlerBundles([options]);
    const builtAgain = await prebuildHandlerBundles([options]);
    const found = handlerBundle(options);

    // Assess
    expect([built, builtAgain]).toEqual([1, 0]);
    expect(found).toMatchObject({ built: false, hash: reference.hash, files: reference.files });
  });

  test("the bundle has NodejsFunction's shape: index.js exporting the handler, with a linked source map", async () => {
    // Act
    const bundle = handlerBundle(options);
    const output = mkdtempSync(path.join(root, 'asset-'));
    copyHandlerBundle(bundle, output);

    // Assess: CommonJS, the handler runs, and the source map names the sources as cdk synth's bundles do
    const code = readFileSync(path.join(output, 'index.js'), 'utf8');
    expect(code).toContain('//# sourceMappingURL=index.js.map');
    const map = JSON.parse(readFileSync(path.join(output, 'index.js.map'), 'utf8')) as { sources: string[] };
    expect([...map.sources].sort()).toEqual(['../../lambda/greeting.ts', '../../lambda/index.ts']);
    const loaded = { exports: {} as { handler?: () => Promise<string> } };
    new Function('module', 'exports', code)(loaded, loaded.exports);
    await expect(loaded.exports.handler?.()).resolves.toBe('hello world');
  });

  test('a lockfile change is a new key: the bundle is made again', () => {
    const first = handlerBundle(options);

    write('package-lock.json', '{"lockfileVersion": 3}');
    const afterInstall = handlerBundle(options);

    expect(afterInstall).toMatchObject({ built: true, hash: first.hash });
  });
});
