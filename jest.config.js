/** Jest runs TypeScript through esbuild (jest.esbuild-transform.js): type checking is `npm run build`. */
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
