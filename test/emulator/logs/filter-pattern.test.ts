/**
 * CloudWatch Logs filter patterns, parsed and matched (pure): the syntax AWS documents for unstructured and JSON
 * events, the refusals, and hostile patterns that must stay cheap.
 */
import { matchesMessage, parseFilterPattern, wildcardMatch } from '../../../lib/emulator/logs/filter-pattern';

const matches = (pattern: string, message: string) => matchesMessage(parseFilterPattern(pattern), message);

test.each([
  ['', 'anything', true],
  ['ERROR', 'ERROR: disk full', true],
  ['ERROR', 'error: disk full', false],
  ['ERROR disk', 'ERROR: disk full', true],
  ['ERROR memory', 'ERROR: disk full', false],
  ['"disk full"', 'ERROR: disk full', true],
  ['"full disk"', 'ERROR: disk full', false],
  ['?ERROR ?WARN', 'WARN: slow', true],
  ['?ERROR ?WARN', 'INFO: ok', false],
  ['ERROR -disk', 'ERROR: disk full', false],
  ['ERROR -memory', 'ERROR: disk full', true],
  ['order ?o-1 ?o-2 -cancelled', 'order o-2 shipped', true],
])('terms: %j against %j is %s', (pattern, message, expected) => {
  expect(matches(pattern, message)).toBe(expected);
});

const EVENT = JSON.stringify({
  level: 'error',
  latency: 730,
  ok: false,
  note: null,
  user: { id: 'u-42', roles: ['admin', 'ops'] },
});

test.each([
  ['{ $.level = "error" }', true],
  ['{ $.level = error }', true],
  ['{ $.level != "error" }', false],
  ['{ $.level = "err*" }', true],
  ['{ $.level = "*ro*" }', true],
  ['{ $.latency > 500 }', true],
  ['{ $.latency >= 730 }', true],
  ['{ $.latency < 730 }', false],
  ['{ $.latency <= 730 && $.level = "error" }', true],
  ['{ $.latency = 730.0 }', true],
  ['{ $.latency != 1 }', true],
  ['{ $.missing = 1 }', false],
  ['{ $.missing NOT EXISTS }', true],
  ['{ $.note IS NULL }', true],
  ['{ $.ok IS FALSE }', true],
  ['{ $.ok IS TRUE }', false],
  ['{ $.user.id = "u-42" }', true],
  ['{ $.user.roles[1] = "ops" }', true],
  ['{ $.user.roles[5] = "ops" }', false],
  ['{ ($.latency < 100 || $.level = "error") && $.user.id = "u-*" }', true],
  ['{ ($.latency < 100 || $.level = "info") }', false],
])('JSON: %s is %s', (pattern, expected) => {
  expect(matches(pattern, EVENT)).toBe(expected);
});

test('a JSON pattern never matches an event that is not a JSON object', () => {
  expect(matches('{ $.level = "error" }', 'level = error')).toBe(false);
  expect(matches('{ $.level = "error" }', '{"level": "error"')).toBe(false);
  expect(matches('{ $.level NOT EXISTS }', '[1, 2]')).toBe(false);
});

test.each([
  ['[ip, user, status = 404]', 'Space-delimited ([field, ...]) filter patterns are not supported'],
  ['%ERROR|WARN%', 'Regular expression (%...%) filter patterns are not supported'],
  ['{ $.items[*] = "x" }', 'Array wildcard ($.list[*]) filter patterns are not supported'],
  ['{ $.latency > }', 'Invalid filter pattern: expected a value'],
  ['{ $.latency > "fast" }', 'Invalid filter pattern: > compares numbers'],
  ['{ latency = 1 }', 'Invalid filter pattern: expected a selector'],
  ['{ $.a = 1 ', "Invalid filter pattern: expected '}'"],
  ['"unterminated', 'Invalid filter pattern: unterminated quoted term'],
  ['{ $.a = 1 } trailing', "Invalid filter pattern: unexpected 't' after the closing brace"],
  ['x'.repeat(1025), 'Member must have length less than or equal to 1024'],
])('%j is refused with InvalidParameterException naming the problem', (pattern, message) => {
  let error: { code?: string; message?: string } = {};
  try {
    parseFilterPattern(pattern);
  } catch (e) {
    error = e as { code: string; message: string };
  }
  expect(error.code).toBe('InvalidParameterException');
  expect(error.message).toContain(message);
});

test('hostile patterns stay cheap: deep parentheses are refused, long chains and stars run in linear time', () => {
  // Prepare
  const deep = `{ ${'('.repeat(40)}$.a = 1${')'.repeat(40)} }`;
  const chain = `{ ${Array.from({ length: 60 }, (_, i) => `$.k${i} = ${i}`).join(' || ')} }`;
  const stars = `{ $.s = "${'a*'.repeat(400)}b" }`;
  const text = JSON.stringify({ s: 'a'.repeat(200_000) });
  // Act
  const started = Date.now();
  const chainMatches = matches(chain, JSON.stringify({ k59: 59 }));
  const starsMatch = matches(stars, text);
  const elapsed = Date.now() - started;
  // Assess
  expect(() => parseFilterPattern(deep)).toThrow('parentheses nest deeper than 32');
  expect(chainMatches).toBe(true);
  expect(starsMatch).toBe(false);
  expect(elapsed).toBeLessThan(1000);
});

test.each([
  ['abc', 'abc', true],
  ['a*c', 'abbbc', true],
  ['a*c', 'abbb', false],
  ['*', '', true],
  ['a*a', 'a', false],
  ['*b*', 'aba', true],
])('wildcard %j against %j is %s', (pattern, text, expected) => {
  expect(wildcardMatch(pattern, text)).toBe(expected);
});
