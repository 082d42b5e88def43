/**
 * Jest transform: TypeScript → CommonJS with esbuild, type-stripping only (type checking is `npm run build`).
 * esbuild is already the Lambda bundler, and unlike SWC it ships for every platform this project runs on.
 */
const { createHash } = require('node:crypto');
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('x') ? 'tsx' : 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      // import() becomes require(): CommonJS all the way down, also where Jest runs code natively (globalSetup)
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(source).update(filename).update('esbuild-transform-2').digest('hex');
  },
};
