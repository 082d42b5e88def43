/**
 * Both AWS CLIs (`aws s3 cp`, `aws s3 ls`) with a key that needs encoding, run side by side (each is a Python
 * start-up); the SDK's listing and encoding tests are in s3-listing.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { AWS_CLIENT_ENVIRONMENT, AWS_CLIS, run } from '../helpers/aws-clients';
import { type S3TestEmulator, startS3TestEmulator } from '../emulator/s3/s3-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
});
afterAll(async () => {
  await t.stop();
});

describe('keys that need encoding', () => {
  it('both AWS CLIs copy a file up under such a key and list it (run side by side: each is a Python start-up)', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'decoupled-cli-keys-'));
    const file = join(dir, 'report.txt');
    await writeFile(file, 'odd key contents');
    const endpoint = ['--endpoint-url', t.emulator.endpoint];
    const cli = (command: string, ...args: string[]) =>
      run(command, [...endpoint, ...args], { env: AWS_CLIENT_ENVIRONMENT });
    try {
      // Act
      const results = await Promise.all(
        AWS_CLIS.map(async ([, command], i) => {
          const folder = `odd dir ${i}/`;
          const key = `${folder}ünï + 100% & co.txt`;
          await cli(command, 's3', 'cp', file, `s3://archive/${key}`);
          const listed = await cli(command, 's3', 'ls', `s3://archive/${folder}`);
          const direct = await t.s3.send(new GetObjectCommand({ Bucket: 'archive', Key: key }));
          return {
            listed: listed.stdout,
            body: await (direct.Body as { transformToString(): Promise<string> }).transformToString(),
          };
        }),
      );
      // Assess
      expect(results).toHaveLength(AWS_CLIS.length);
      for (const { listed, body } of results) {
        expect(listed).toMatch(/ 16 ünï \+ 100% & co\.txt\n$/);
        expect(body).toBe('odd key contents');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
