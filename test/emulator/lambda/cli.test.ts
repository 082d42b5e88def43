/**
 * Lambda through the AWS CLIs (botocore, not the JavaScript SDK): `invoke`, `get-function-configuration` and
 * `list-functions` work, and an error reaches the CLI with the code and message Lambda's error shape gives it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AWS_CLIENT_ENVIRONMENT, AWS_CLIS, awsCli, run } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

const root = mkdtempSync(path.join(tmpdir(), 'decoupled-lambda-cli-'));
let t: TestEmulator;

beforeAll(async () => {
  t = await startTestEmulator();
  writeFileSync(path.join(root, 'index.js'), 'exports.handler = async (event) => ({ got: event });');
  await t.emulator.lambda.createFunction({
    functionName: 'echo',
    codeDirectory: root,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
  });
});
afterAll(async () => {
  await t.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.each(AWS_CLIS)('%s', (name, command) => {
  test('invoke, get-function-configuration and list-functions; a missing function is ResourceNotFoundException', async () => {
    // Prepare
    const outfile = path.join(root, `out-${name.replace(/\W/g, '')}.json`);
    // fileb:// is raw bytes to both CLIs (a literal --payload is text to v1 and base64 to v2)
    const payload = path.join(root, 'payload.json');
    writeFileSync(payload, '{"n":1}');
    const cli = (...args: string[]) => awsCli(command, t.emulator.endpoint, 'lambda', ...args);

    // Act: at once, each CLI run is mostly a Python start-up
    const [invoked, configuration, listed, failed] = await Promise.all([
      cli('invoke', '--function-name', 'echo', '--payload', `fileb://${payload}`, outfile),
      cli('get-function-configuration', '--function-name', 'echo', '--qualifier', '$LATEST'),
      cli('list-functions', '--max-items', '5'),
      run(
        command,
        ['--endpoint-url', t.emulator.endpoint, 'lambda', 'get-function', '--function-name', 'nope'],
        {
          env: AWS_CLIENT_ENVIRONMENT,
        },
      ).catch((error: { stderr: string }) => error),
    ]);

    // Assess
    expect(invoked).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(JSON.parse(readFileSync(outfile, 'utf8'))).toEqual({ got: { n: 1 } });
    expect(configuration).toMatchObject({ FunctionName: 'echo', Version: '$LATEST', Runtime: 'nodejs24.x' });
    expect(listed).toMatchObject({ Functions: [expect.objectContaining({ FunctionName: 'echo' })] });
    expect((failed as { stderr: string }).stderr).toContain(
      'An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: ' +
        'arn:aws:lambda:us-east-1:000000000000:function:nope',
    );
  });
});
