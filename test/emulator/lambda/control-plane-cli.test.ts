/**
 * The Lambda control plane through both AWS CLIs (botocore v1 and v2): `create-function --zip-file`,
 * `update-function-code --zip-file`, `get-function` (whose Code.Location downloads the .zip) and `invoke`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AWS_CLIS, awsCli } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';
import { zipOf } from '../../helpers/zip';

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-lambda-cp-cli-'));
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
  rmSync(root, { recursive: true, force: true });
});

const handler = (label: string) =>
  zipOf({ 'index.js': `exports.handler = async () => ({ code: '${label}' });` });

describe.each(AWS_CLIS)('%s', (name, command) => {
  test('create-function, update-function-code and get-function with --zip-file; invoke runs the new code', async () => {
    // Prepare
    const fn = `cli-${name.replace(/\W/g, '')}`;
    const first = path.join(root, `${fn}-1.zip`);
    const second = path.join(root, `${fn}-2.zip`);
    writeFileSync(first, handler('first'));
    writeFileSync(second, handler('second'));
    const outfile = path.join(root, `${fn}-out.json`);
    const cli = (...args: string[]) => awsCli(command, t.emulator.endpoint, 'lambda', ...args);

    // Act
    const created = await cli(
      'create-function',
      '--function-name',
      fn,
      '--runtime',
      'nodejs22.x',
      '--role',
      'arn:aws:iam::000000000000:role/cli',
      '--handler',
      'index.handler',
      '--zip-file',
      `fileb://${first}`,
    );
    const updated = await cli(
      'update-function-code',
      '--function-name',
      fn,
      '--zip-file',
      `fileb://${second}`,
    );
    // at once: each CLI run is mostly a Python start-up
    const [got] = (await Promise.all([
      cli('get-function', '--function-name', fn),
      cli('invoke', '--function-name', fn, outfile),
    ])) as [{ Configuration: { CodeSha256: string }; Code: { Location: string } }, unknown];
    const downloaded = Buffer.from(await (await fetch(got.Code.Location)).arrayBuffer());

    // Assess
    const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('base64');
    expect(created).toMatchObject({ FunctionName: fn, CodeSha256: sha(first), State: 'Active' });
    expect(updated).toMatchObject({ CodeSha256: sha(second), LastUpdateStatus: 'Successful' });
    expect(got.Configuration.CodeSha256).toBe(sha(second));
    expect(downloaded.equals(readFileSync(second))).toBe(true);
    expect(JSON.parse(readFileSync(outfile, 'utf8'))).toEqual({ code: 'second' });
  });
});
