/**
 * Deployment packages that must not be unpacked: entries that leave the function's directory (zip-slip),
 * absolute paths, symbolic links, more unzipped bytes than Lambda's 250 MB or more entries than the local bound,
 * bytes that are not a .zip, and requests larger than the server takes. Each is refused with AWS's code before
 * any function exists, and nothing is written outside the package's directory.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES } from '../../../lib/emulator/lambda/code-package';
import { awsErrorOf, startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';
import { type ZipEntry, zipOf } from '../../helpers/zip';

const HANDLER = 'exports.handler = async () => "ok";';
const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';
let t: TestEmulator;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestEmulator();
  lambda = new LambdaClient({
    endpoint: t.emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

function create(name: string, zip: Buffer) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: 'arn:aws:iam::000000000000:role/r',
      Handler: 'index.handler',
      Code: { ZipFile: zip },
    }),
  );
}

/** Every file under the emulator's package directories (decoupled-lambda-*) and their parent. */
function filesNamed(name: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.name === name) found.push(full);
      if (entry.isDirectory()) walk(full, depth + 1);
    }
  };
  for (const entry of readdirSync(tmpdir())) {
    if (entry.startsWith('decoupled-lambda-')) walk(path.join(tmpdir(), entry), 0);
  }
  return found;
}

describe('unsafe packages are refused before a function exists', () => {
  test.each<[string, readonly ZipEntry[], string]>([
    [
      'an entry climbing out with ..',
      [
        { name: 'index.js', content: HANDLER },
        { name: '../../escaped-marker.js', content: 'x' },
      ],
      `${UNZIP_FAILED} The entry ../../escaped-marker.js leaves the function's directory.`,
    ],
    [
      'an entry climbing out from a subdirectory',
      [
        { name: 'index.js', content: HANDLER },
        { name: 'lib/../../../escaped-marker.js', content: 'x' },
      ],
      `${UNZIP_FAILED} The entry lib/../../../escaped-marker.js leaves the function's directory.`,
    ],
    [
      'an absolute path',
      [{ name: '/tmp/escaped-marker.js', content: 'x' }],
      `${UNZIP_FAILED} The entry /tmp/escaped-marker.js leaves the function's directory.`,
    ],
    [
      'a Windows path climbing out',
      [{ name: '..\\escaped-marker.js', content: 'x' }],
      // a backslash is a separator to unzip tools on Windows: read as a slash, and refused
      `${UNZIP_FAILED} The entry ../escaped-marker.js leaves the function's directory.`,
    ],
    [
      'a symbolic link',
      [
        { name: 'index.js', content: HANDLER },
        { name: 'secrets', content: '/etc/passwd', mode: 0o120777 },
      ],
      `${UNZIP_FAILED} The entry secrets is a symbolic link, which the local emulator does not unpack.`,
    ],
    [
      'entries that declare more than 250 MB unzipped',
      [
        { name: 'index.js', content: HANDLER },
        { name: 'big.bin', content: 'small', deflate: true, declaredSize: MAX_UNZIPPED_BYTES },
      ],
      `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`,
    ],
    [
      'an entry larger than it declares',
      [{ name: 'index.js', content: 'x'.repeat(1000), declaredSize: 10 }],
      UNZIP_FAILED,
    ],
  ])('%s', async (_case, entries, message) => {
    // Act
    const error = await awsErrorOf(create('unsafe', zipOf(entries)));
    const missing = await awsErrorOf(lambda.send(new GetFunctionCommand({ FunctionName: 'unsafe' })));

    // Assess
    expect(error).toMatchObject({ name: 'InvalidParameterValueException', status: 400, message });
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(existsSync('/tmp/escaped-marker.js')).toBe(false);
    expect(filesNamed('escaped-marker.js')).toEqual([]);
  });

  test('more entries than the local bound, and bytes that are not a .zip', async () => {
    // Prepare
    const many = Array.from({ length: MAX_ZIP_ENTRIES + 1 }, (_, i) => ({ name: `f${i}`, deflate: false }));

    // Act
    const tooMany = await awsErrorOf(create('many', zipOf(many)));
    const garbage = await awsErrorOf(create('garbage', Buffer.from('this is not a zip file at all')));

    // Assess
    expect(tooMany).toMatchObject({
      name: 'InvalidParameterValueException',
      message: `${UNZIP_FAILED} The .zip has ${MAX_ZIP_ENTRIES + 1} entries; the local emulator unpacks at most ${MAX_ZIP_ENTRIES}.`,
    });
    expect(garbage).toMatchObject({ name: 'InvalidParameterValueException', message: UNZIP_FAILED });
  });

  test('UpdateFunctionCode with an unsafe package leaves the function running its code', async () => {
    // Prepare
    await create('kept', zipOf({ 'index.js': HANDLER }));
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: 'kept' }));

    // Act
    const error = await awsErrorOf(
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'kept',
          ZipFile: zipOf([{ name: '../escaped-marker.js', content: 'x' }]),
        }),
      ),
    );
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: 'kept' }));

    // Assess
    expect(error.name).toBe('InvalidParameterValueException');
    expect(after.Configuration?.CodeSha256).toBe(before.Configuration?.CodeSha256);
    expect(after.Configuration?.RevisionId).toBe(before.Configuration?.RevisionId);
  });

  test('a request larger than the server takes is RequestEntityTooLargeException, 413', async () => {
    // Act: the body is refused as it arrives, before the emulator holds it
    const reply = await fetch(`${t.emulator.endpoint}/2015-03-31/functions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20261130/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: Buffer.alloc(16 * 1024 * 1024 + 1, 0x20),
    }).catch((error: Error) => error);

    // Assess
    if (reply instanceof Error) throw reply;
    expect(reply.status).toBe(413);
    expect(reply.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(((await reply.json()) as { message: string }).message).toBe(
      'Request must be smaller than 16777216 bytes for the CreateFunction operation',
    );
  });
});
