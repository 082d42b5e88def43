import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  type FunctionConfiguration,
  FunctionConfigurationError,
  type FunctionLogLine,
  FunctionRuntime,
} from '../../../lib/emulator/lambda/function-runtime';

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-fn-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes handler code into its own asset directory, as cdk.out holds one per function. */
function asset(name: string, code: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.js'), code);
  return dir;
}

function config(
  name: string,
  codeDirectory: string,
  overrides: Partial<FunctionConfiguration> = {},
): FunctionConfiguration {
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    codeDirectory,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    timeoutSeconds: 30,
    memorySize: 128,
    environment: {},
    concurrency: 10,
    ...overrides,
  };
}

describe('FunctionRuntime', () => {
  const logs: FunctionLogLine[] = [];
  const runtime = new FunctionRuntime({ onLog: (line) => logs.push(line) });
  afterAll(() => runtime.close());

  const counter = asset(
    'counter',
    `let calls = 0;
     exports.handler = async (event, context) => ({ calls: ++calls, color: process.env.FAVORITE_COLOR, echo: event,
       requestId: context.awsRequestId, name: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 });`,
  );

  test('returns the handler result and reuses the warm environment, keeping module state', async () => {
    await runtime.define(config('counter', counter, { environment: { FAVORITE_COLOR: 'blue' } }));

    const first = await runtime.invoke('counter', { n: 1 }, 'req-1');
    const second = await runtime.invoke('counter', { n: 2 }, 'req-2');

    expect(first).toMatchObject({
      ok: true,
      requestId: 'req-1',
      payload: {
        calls: 1,
        color: 'blue',
        echo: { n: 1 },
        requestId: 'req-1',
        name: 'counter',
        remaining: true,
      },
    });
    expect(second).toMatchObject({ ok: true, payload: { calls: 2 } });
    expect(runtime.environments('counter')).toBe(1);
  });

  test('functions are isolated: own environment variables, own module state, even from the same code', async () => {
    await runtime.define(config('red', counter, { environment: { FAVORITE_COLOR: 'red' } }));
    await runtime.define(config('green', counter, { environment: { FAVORITE_COLOR: 'green' } }));

    const red = await runtime.invoke('red', {});
    const green = await runtime.invoke('green', {});

    expect(red).toMatchObject({ ok: true, payload: { calls: 1, color: 'red' } });
    expect(green).toMatchObject({ ok: true, payload: { calls: 1, color: 'green' } });
    expect(process.env.FAVORITE_COLOR).toBeUndefined();
  });

  test('a thrown error fails the invocation with its type and message', async () => {
    await runtime.define(
      config(
        'thrower',
        asset('thrower', `exports.handler = async () => { const e = new TypeError('bad order'); throw e; };`),
      ),
    );

    const result = await runtime.invoke('thrower', {});

    expect(result).toMatchObject({ ok: false, error: { errorType: 'TypeError', errorMessage: 'bad order' } });
  });

  test('callback-style handlers work', async () => {
    await runtime.define(
      config(
        'callback',
        asset(
          'callback',
          `exports.handler = (event, context, callback) => { setImmediate(() => callback(null, { got: event.x })); };`,
        ),
      ),
    );

    expect(await runtime.invoke('callback', { x: 7 })).toMatchObject({ ok: true, payload: { got: 7 } });
  });

  test('a missing export and a module that fails to load are reported as Lambda does', async () => {
    await runtime.define(config('noexport', asset('noexport', 'exports.other = () => 1;')));
    await runtime.define(config('broken', asset('broken', 'this is not javascript')));

    expect(await runtime.invoke('noexport', {})).toMatchObject({
      ok: false,
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      },
    });
    expect(await runtime.invoke('broken', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError' },
    });
  });

  test('an invocation past its timeout is stopped, fails, and its environment is replaced', async () => {
    const code = asset(
      'slow',
      `let calls = 0; exports.handler = async (e) => { calls++; if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return calls; };`,
    );
    await runtime.define(config('slow', code, { timeoutSeconds: 0.2 }));

    const timedOut = await runtime.invoke('slow', { hang: true });
    const next = await runtime.invoke('slow', {});

    expect(timedOut).toMatchObject({
      ok: false,
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.20 seconds' },
    });
    expect(next).toMatchObject({ ok: true, payload: 1 });
  });

  test('no more invocations run at once than the concurrency limit', async () => {
    const code = asset(
      'gate',
      `let active = 0, peak = 0; exports.handler = async () => { peak = Math.max(peak, ++active); await new Promise((r) => setTimeout(r, 20)); active--; return peak; };`,
    );
    await runtime.define(config('gate', code, { concurrency: 2 }));

    const results = await Promise.all(Array.from({ length: 6 }, () => runtime.invoke('gate', {})));

    expect(Math.max(...results.map((r) => (r.ok ? (r.payload as number) : 0)))).toBe(1);
    expect(runtime.environments('gate')).toBe(2);
  });

  test('console output is captured line by line with the function name and request id', async () => {
    await runtime.define(
      config(
        'chatty',
        asset(
          'chatty',
          `exports.handler = async () => { console.log('one\\ntwo'); console.error('oops'); return 1; };`,
        ),
      ),
    );

    await runtime.invoke('chatty', {}, 'req-chatty');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(logs.filter((l) => l.functionName === 'chatty')).toEqual([
      { functionName: 'chatty', requestId: 'req-chatty', stream: 'stdout', line: 'one' },
      { functionName: 'chatty', requestId: 'req-chatty', stream: 'stdout', line: 'two' },
      { functionName: 'chatty', requestId: 'req-chatty', stream: 'stderr', line: 'oops' },
    ]);
  });

  test('refuses runtimes that cannot run here and handlers with no code', async () => {
    await expect(runtime.define(config('py', counter, { runtime: 'python3.13' }))).rejects.toThrow(
      new FunctionConfigurationError('py', 'runtime python3.13 cannot run locally (Node.js runtimes only)'),
    );
    await expect(runtime.define(config('nofile', counter, { handler: 'main.handler' }))).rejects.toThrow(
      `Function nofile: no file for Handler 'main.handler' in ${counter}`,
    );
  });
});
