/**
 * SigV4 of role sessions under `--iam enforce`, in both forms AWS accepts (the Authorization header and a
 * presigned URL), through the real S3 client and presigner: the right secret passes to the policy check, a wrong
 * one is SignatureDoesNotMatch; other keys are the account's administrator.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

const ROLE = 'arn:aws:iam::000000000000:role/reader';

describe('role sessions signed with SigV4 (--iam enforce)', () => {
  let emulator: Emulator;
  let admin: S3Client;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, iam: 'enforce' });
    emulator.iam.policies.register({
      stackName: 'Test',
      logicalId: 'Reader',
      type: 'AWS::IAM::Role',
      ref: 'reader',
      properties: {
        Policies: [
          {
            PolicyName: 'ReadReports',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }],
            },
          },
        ],
      },
      attributes: { Arn: ROLE },
    });
    admin = client(TEST_CREDENTIALS);
    emulator.s3.createBucket('reports');
    await admin.send(new PutObjectCommand({ Bucket: 'reports', Key: 'r.txt', Body: 'hello' }));
  });
  afterAll(async () => {
    admin.destroy();
    await emulator.stop();
  });

  function client(credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }): S3Client {
    return new S3Client({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials,
      forcePathStyle: true,
    });
  }

  function session(secret?: string) {
    const issued = emulator.iam.credentialsFor(ROLE, 'reader-session');
    if (!issued) throw new Error('no credentials');
    return { ...issued, secretAccessKey: secret ?? issued.secretAccessKey };
  }

  test('header form: what the role allows passes, what it does not is AccessDenied, a wrong secret SignatureDoesNotMatch', async () => {
    const reader = client(session());
    const body = await (
      await reader.send(new GetObjectCommand({ Bucket: 'reports', Key: 'r.txt' }))
    ).Body?.transformToString();
    expect(body).toBe('hello');
    await expect(
      reader.send(new PutObjectCommand({ Bucket: 'reports', Key: 'w.txt', Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      client(session('wrong')).send(new GetObjectCommand({ Bucket: 'reports', Key: 'r.txt' })),
    ).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    reader.destroy();
  });

  test('presigned form: the right secret reads, a wrong one is refused with S3 XML SignatureDoesNotMatch', async () => {
    const url = await getSignedUrl(
      client(session()),
      new GetObjectCommand({ Bucket: 'reports', Key: 'r.txt' }),
    );
    const ok = await fetch(url);
    expect([ok.status, await ok.text()]).toEqual([200, 'hello']);
    const forged = await getSignedUrl(
      client(session('wrong')),
      new GetObjectCommand({ Bucket: 'reports', Key: 'r.txt' }),
    );
    const refused = await fetch(forged);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
