/** The fast tier, `npm test`: every suite but the long ones (test/long-suites.js). */
const base = require('./jest.config');
const longSuites = require('./test/long-suites');

/** A suite's path as a pattern Jest matches against absolute paths. */
const suitePattern = (suite) => `<rootDir>/test/${suite.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/', ...longSuites.map(suitePattern)] };
