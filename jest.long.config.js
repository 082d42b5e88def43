/** The long tier, `npm run test:long`: the suites of test/long-suites.js. */
const base = require('./jest.config');
const longSuites = require('./test/long-suites');

module.exports = { ...base, testMatch: longSuites.map((suite) => `<rootDir>/test/${suite}`) };
