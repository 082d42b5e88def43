/**
 * Jest runs TypeScript through esbuild (jest.esbuild-transform.js): type checking is `npm run build`.
 * This config runs every suite (`npx jest` and `npx jest <path>`); `npm test` runs the fast tier
 * (jest.fast.config.js: all but the long suites of test/long-suites.js) and `npm run test:long` the long tier
 * (jest.long.config.js); `npm run test:all` runs both, as CI does.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': '<rootDir>/jest.esbuild-transform.js' },
  testTimeout: 60_000,
  // the local-mode end-to-end tests deploy the real synthesized app (test/helpers/local-app.ts)
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Jest's default leaves one core idle; the suite is CPU-bound, so use both of CI's two cores.
  maxWorkers: '100%',
};
