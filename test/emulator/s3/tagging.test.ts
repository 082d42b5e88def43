/** Bucket and object tags: stored, returned, counted on GetObject, copied or replaced, validated as S3 does. */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { awsErrorOf } from '../../helpers/emulator';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
beforeAll(async () => {
  t = await startS3TestEmulator();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'tagged' }));
});
afterAll(async () => {
  await t.stop();
});

describe('bucket tags', () => {
  it('are stored, returned and deleted; none is NoSuchTagSet', async () => {
    // Act
    const before = await awsErrorOf(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })));
    await t.s3.send(
      new PutBucketTaggingCommand({
        Bucket: 'tagged',
        Tagging: {
          TagSet: [
            { Key: 'team', Value: 'billing' },
            { Key: 'stage', Value: 'dev' },
          ],
        },
      }),
    );
    const stored = await t.s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }));
    await t.s3.send(new DeleteBucketTaggingCommand({ Bucket: 'tagged' }));
    const after = await awsErrorOf(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })));

    // Assess
    expect(before).toMatchObject({ name: 'NoSuchTagSet', status: 404, message: 'The TagSet does not exist' });
    expect(stored.TagSet).toEqual([
      { Key: 'team', Value: 'billing' },
      { Key: 'stage', Value: 'dev' },
    ]);
    expect(after.name).toBe('NoSuchTagSet');
  });

  it('refuses duplicate keys and the aws: prefix with InvalidTag', async () => {
    // Act
    const duplicate = await awsErrorOf(
      t.s3.send(
        new PutBucketTaggingCommand({
          Bucket: 'tagged',
          Tagging: {
            TagSet: [
              { Key: 'a', Value: '1' },
              { Key: 'a', Value: '2' },
            ],
          },
        }),
      ),
    );
    const reserved = await awsErrorOf(
      t.s3.send(
        new PutBucketTaggingCommand({
          Bucket: 'tagged',
          Tagging: { TagSet: [{ Key: 'aws:x', Value: '1' }] },
        }),
      ),
    );

    // Assess
    expect(duplicate).toMatchObject({
      name: 'InvalidTag',
      status: 400,
      message: 'Cannot provide multiple Tags with the same key',
    });
    expect(reserved).toMatchObject({
      name: 'InvalidTag',
      message: 'Your TagKey cannot be prefixed with aws:',
    });
  });
});

describe('object tags', () => {
  it('come with PutObject, are counted on GetObject, replaced and deleted', async () => {
    // Prepare
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'tagged', Key: 'k', Body: 'v', Tagging: 'a=1&b=two%20words' }),
    );

    // Act
    const first = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'k' }));
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'tagged', Key: 'k' }));
    await got.Body?.transformToString();
    await t.s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'tagged',
        Key: 'k',
        Tagging: { TagSet: [{ Key: 'c', Value: '3' }] },
      }),
    );
    const replaced = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'k' }));
    await t.s3.send(new DeleteObjectTaggingCommand({ Bucket: 'tagged', Key: 'k' }));
    const deleted = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'k' }));

    // Assess
    expect(first.TagSet).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two words' },
    ]);
    expect(got.TagCount).toBe(2);
    expect(replaced.TagSet).toEqual([{ Key: 'c', Value: '3' }]);
    expect(deleted.TagSet ?? []).toEqual([]);
  });

  it('are copied by CopyObject, or replaced with TaggingDirective REPLACE', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'tagged', Key: 'src', Body: 'v', Tagging: 'a=1' }));

    // Act
    await t.s3.send(new CopyObjectCommand({ Bucket: 'tagged', Key: 'copy', CopySource: 'tagged/src' }));
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: 'tagged',
        Key: 'replaced',
        CopySource: 'tagged/src',
        TaggingDirective: 'REPLACE',
        Tagging: 'b=2',
      }),
    );
    const copy = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'copy' }));
    const replaced = await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'replaced' }));

    // Assess
    expect(copy.TagSet).toEqual([{ Key: 'a', Value: '1' }]);
    expect(replaced.TagSet).toEqual([{ Key: 'b', Value: '2' }]);
  });

  it('more than 10 is InvalidTag; a missing object is NoSuchKey', async () => {
    // Act
    const many = await awsErrorOf(
      t.s3.send(
        new PutObjectCommand({
          Bucket: 'tagged',
          Key: 'many',
          Body: 'v',
          Tagging: Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&'),
        }),
      ),
    );
    const missing = await awsErrorOf(
      t.s3.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'nope' })),
    );

    // Assess
    expect(many).toMatchObject({
      name: 'InvalidTag',
      status: 400,
      message: 'Object tags cannot be greater than 10',
    });
    expect(missing.name).toBe('NoSuchKey');
  });
});
