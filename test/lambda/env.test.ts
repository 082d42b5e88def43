import { MissingEnvironmentError, requireEnv } from '../../lambda/shared/env';

test('requireEnv returns a set variable', () => {
  expect(requireEnv('QUEUE_URL', { QUEUE_URL: 'http://127.0.0.1:4566/000000000000/q' })).toBe(
    'http://127.0.0.1:4566/000000000000/q',
  );
});

test.each([{}, { QUEUE_URL: '' }])('requireEnv names a missing or empty variable: %j', (env) => {
  expect(() => requireEnv('QUEUE_URL', env)).toThrow(new MissingEnvironmentError('QUEUE_URL'));
  expect(() => requireEnv('QUEUE_URL', env)).toThrow('Environment variable QUEUE_URL is not set');
});
