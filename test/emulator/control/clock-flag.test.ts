/** `--clock` on the command line, for `npm run emulator` and `npm start`: a bad value is a usage error (exit 2). */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

function decoupled(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/decoupled.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stderr: result.stderr };
}

test.each([
  [
    'emulator',
    'fast:0',
    "--clock fast:N takes a speed-up N above 0 and at most 1000 (fast:60: a real second is an emulated minute), got '0'",
  ],
  ['local', 'manually', "--clock takes real, manual or fast:N, got 'manually'"],
])('%s --clock %s exits 2 naming the flag, before starting anything', (command, value, message) => {
  const { code, stderr } = decoupled(command, '--clock', value, '--port', '0');

  expect(code).toBe(2);
  expect(stderr).toContain(message);
});

test('npm run emulator -- --clock manual says so when it is ready, and its clock stands still', async () => {
  // Prepare
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/decoupled.ts', 'emulator', '--clock', 'manual', '--port', '0'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let output = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Clock: manual')) resolve();
      }),
    );

    // Act
    await ready;
    const endpoint = /listening on (\S+)/.exec(output)?.[1];
    const first = await fetch(`${endpoint}/_emulator/clock`).then((r) => r.json());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await fetch(`${endpoint}/_emulator/clock`).then((r) => r.json());

    // Assess
    expect(output).toMatch(
      /^listening on http:\/\/127\.0\.0\.1:\d+\nconsole: http:\/\/127\.0\.0\.1:\d+\/_console\/\nClock: manual, at \S+Z: time moves only when told/,
    );
    expect(first).toMatchObject({ mode: 'manual' });
    expect(second.epochMillis).toBe(first.epochMillis);
  } finally {
    child.kill('SIGTERM');
  }
});
