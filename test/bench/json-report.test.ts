/** `npm run bench -- --json FILE`: every figure with its baseline, goal and verdict, in a file a script can read. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { figure } from '../../bench/figures';

const ROOT = path.join(__dirname, '..', '..');
const directory = mkdtempSync(path.join(tmpdir(), 'decoupled-bench-json-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function bench(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 110_000,
  });
}

test('--only startup --json FILE writes the section’s figures with the machine and keeps the text tables', () => {
  // Prepare
  const file = path.join(directory, 'startup.json');

  // Act
  const run = bench('--only', 'startup', '--json', file);

  // Assess
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/start-up to listening, in-process startEmulator\(\) +\| +[\d.]+ ms/);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  expect(report).toMatchObject({
    sections: ['startup'],
    machine: { cpus: expect.any(Number), node: process.version, loadAverage: expect.any(Array) },
    durationSeconds: expect.any(Number),
  });
  expect(report.figures.map((f: { name: string }) => f.name)).toEqual([
    'startup.in-process',
    'startup.process',
  ]);
  const [inProcess, asProcess] = report.figures;
  expect(inProcess).toEqual({
    name: 'startup.in-process',
    label: expect.stringContaining('startEmulator()'),
    value: expect.any(Number),
    unit: 'ms',
    baseline: null,
    ratio: null,
    goal: { on: 'value', op: '<', limit: 1000 },
    pass: inProcess.value < 1000,
  });
  expect(asProcess).toMatchObject({ unit: 'ms', goal: null, pass: null });
  expect(asProcess.value).toBeGreaterThan(0);
}, 120_000);

test('an unknown section or a flag without its value is refused before anything runs', () => {
  const unknown = bench('--only', 'nope');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain('unknown section nope: one of sqs-http, sqs-in-process');

  const missing = bench('--json');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('--json needs a value');
}, 120_000);

test('a figure with a baseline carries the ratio, and its verdict follows the goal on the ratio or the value', () => {
  const backlog = {
    name: 'sqs.in-process.backlog.fifo',
    label: 'FIFO',
    value: 1300,
    unit: 'ns/operation',
    baseline: { name: 'empty queue', value: 1000 },
    goal: { on: 'ratio', op: '<=', limit: 1.25 },
  } as const;
  expect(figure(backlog)).toMatchObject({ ratio: 1.3, pass: false });
  expect(figure({ ...backlog, value: 1250 })).toMatchObject({ ratio: 1.25, pass: true });
  expect(
    figure({ name: 'p99', label: 'p99', value: 4.9, unit: 'ms', goal: { on: 'value', op: '<', limit: 5 } }),
  ).toMatchObject({ baseline: null, ratio: null, pass: true });
});
