/** Jest runs TypeScript through esbuild (jest.esbuild-transform.js): type checking is `npm run build`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': '<rootDir>/jest.esbuild-transform.js' },
  testTimeout: 60_000,
  // Jest's default leaves one core idle; the suite is CPU-bound, so use both of CI's two cores.
  maxWorkers: '100%',
};
