/**
 * ACLs and Object Ownership through the SDK: canned ACLs and grants stored and returned as AWS does;
 * BucketOwnerEnforced refuses them. The AWS CLI and boto3 tests are in acl-clients.test.ts (the long tier).
 */
import {
  type BucketCannedACL,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { deployStacks } from '../../../lib/emulator/deploy/local-deployment';
import { awsErrorOf } from '../../helpers/emulator';
import { rawRequest } from '../../helpers/raw-http';
import { type S3TestEmulator, startS3TestEmulator } from './s3-fixture';

let t: S3TestEmulator;
let owner: string;
beforeAll(async () => {
  t = await startS3TestEmulator();
  owner = t.emulator.s3.ownerId;
  await t.s3.send(new CreateBucketCommand({ Bucket: 'enforced' }));
  await t.s3.send(new CreateBucketCommand({ Bucket: 'writer', ObjectOwnership: 'ObjectWriter' }));
});
afterAll(async () => {
  await t.stop();
});

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const ownerGrant = () => ({
  Grantee: { Type: 'CanonicalUser', ID: owner },
  Permission: 'FULL_CONTROL',
});
const group = (URI: string, Permission: string) => ({ Grantee: { Type: 'Group', URI }, Permission });

describe('a new bucket (Object Ownership BucketOwnerEnforced)', () => {
  it('answers the owner FULL_CONTROL and its ownership controls', async () => {
    // Act
    const acl = await t.s3.send(new GetBucketAclCommand({ Bucket: 'enforced' }));
    const controls = await t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'enforced' }));
    // Assess
    expect(acl.Owner?.ID).toBe(owner);
    expect(acl.Grants).toEqual([ownerGrant()]);
    expect(controls.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
  });

  it('refuses ACLs that grant others with AccessControlListNotSupported, takes the owner-only ones', async () => {
    // Act
    const bucketAcl = await awsErrorOf(
      t.s3.send(new PutBucketAclCommand({ Bucket: 'enforced', ACL: 'public-read' })),
    );
    const objectAcl = await awsErrorOf(
      t.s3.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'k', Body: 'x', ACL: 'public-read' })),
    );
    const owned = await t.s3.send(
      new PutObjectCommand({ Bucket: 'enforced', Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }),
    );
    const created = await awsErrorOf(
      t.s3.send(new CreateBucketCommand({ Bucket: 'public', ACL: 'public-read' })),
    );
    // Assess
    expect(bucketAcl).toMatchObject({
      name: 'AccessControlListNotSupported',
      status: 400,
      message: 'The bucket does not allow ACLs',
    });
    expect(objectAcl.name).toBe('AccessControlListNotSupported');
    expect(owned.ETag).toBeDefined();
    expect(created).toMatchObject({ name: 'InvalidBucketAclWithObjectOwnership', status: 400 });
    expect(t.emulator.s3.bucketNames()).not.toContain('public');
  });
});

describe('a bucket with ACLs enabled (ObjectWriter)', () => {
  it.each([
    ['public-read', [group(ALL_USERS, 'READ')]],
    ['public-read-write', [group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')]],
    ['authenticated-read', [group(AUTHENTICATED_USERS, 'READ')]],
    ['log-delivery-write', [group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')]],
    ['private', []],
  ] as const)('a canned %s bucket ACL is the owner FULL_CONTROL plus its groups', async (canned, extra) => {
    // Act
    // the SDK's enum has no log-delivery-write any more; S3 (and CloudFormation's LogDeliveryWrite) still take it
    await t.s3.send(new PutBucketAclCommand({ Bucket: 'writer', ACL: canned as BucketCannedACL }));
    const acl = await t.s3.send(new GetBucketAclCommand({ Bucket: 'writer' }));
    // Assess
    expect(acl.Grants).toEqual([ownerGrant(), ...extra]);
  });

  it('keeps the canned ACL of PutObject, CopyObject and CreateMultipartUpload with the object', async () => {
    // Act
    await t.s3.send(new PutObjectCommand({ Bucket: 'writer', Key: 'put', Body: 'x', ACL: 'public-read' }));
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: 'writer',
        Key: 'copy',
        CopySource: 'writer/put',
        ACL: 'aws-exec-read',
      }),
    );
    const upload = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'writer', Key: 'mpu', ACL: 'authenticated-read' }),
    );
    const put = await t.s3.send(new GetObjectAclCommand({ Bucket: 'writer', Key: 'put' }));
    const copy = await t.s3.send(new GetObjectAclCommand({ Bucket: 'writer', Key: 'copy' }));
    // Assess
    expect(upload.UploadId).toBeDefined();
    expect(put.Grants).toEqual([ownerGrant(), group(ALL_USERS, 'READ')]);
    expect(copy.Grants).toEqual([
      ownerGrant(),
      {
        Grantee: {
          Type: 'CanonicalUser',
          ID: '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c',
          DisplayName: 'za-team',
        },
        Permission: 'READ',
      },
    ]);
  });

  it('sets an object ACL from an AccessControlPolicy document and from x-amz-grant-* headers', async () => {
    // Prepare
    await t.s3.send(new PutObjectCommand({ Bucket: 'writer', Key: 'granted', Body: 'x' }));
    const other = 'a'.repeat(64);
    // Act
    await t.s3.send(
      new PutObjectAclCommand({
        Bucket: 'writer',
        Key: 'granted',
        AccessControlPolicy: {
          Owner: { ID: owner },
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' },
            { Grantee: { Type: 'CanonicalUser', ID: other }, Permission: 'READ_ACP' },
          ],
        },
      }),
    );
    const fromBody = await t.s3.send(new GetObjectAclCommand({ Bucket: 'writer', Key: 'granted' }));
    await t.s3.send(
      new PutObjectAclCommand({
        Bucket: 'writer',
        Key: 'granted',
        GrantRead: `uri="${ALL_USERS}", id="${other}"`,
        GrantFullControl: `id="${owner}"`,
      }),
    );
    const fromHeaders = await t.s3.send(new GetObjectAclCommand({ Bucket: 'writer', Key: 'granted' }));
    // Assess
    expect(fromBody.Grants).toEqual([
      ownerGrant(),
      { Grantee: { Type: 'CanonicalUser', ID: other }, Permission: 'READ_ACP' },
    ]);
    expect(fromHeaders.Grants).toEqual([
      ownerGrant(),
      group(ALL_USERS, 'READ'),
      { Grantee: { Type: 'CanonicalUser', ID: other }, Permission: 'READ' },
    ]);
  });

  it('refuses e-mail grantees, unknown groups, over 100 grants, and a canned ACL with grant headers', async () => {
    // Act
    const email = await awsErrorOf(
      t.s3.send(
        new PutBucketAclCommand({ Bucket: 'writer', GrantRead: 'emailAddress="someone@example.com"' }),
      ),
    );
    const unknownGroup = await awsErrorOf(
      t.s3.send(
        new PutBucketAclCommand({ Bucket: 'writer', GrantRead: 'uri="http://acs.amazonaws.com/groups/x"' }),
      ),
    );
    const both = await awsErrorOf(
      t.s3.send(new PutBucketAclCommand({ Bucket: 'writer', ACL: 'private', GrantRead: `id="${owner}"` })),
    );
    const tooMany = await awsErrorOf(
      t.s3.send(
        new PutBucketAclCommand({
          Bucket: 'writer',
          AccessControlPolicy: {
            Owner: { ID: owner },
            Grants: Array.from({ length: 101 }, () => ({
              Grantee: { Type: 'CanonicalUser' as const, ID: owner },
              Permission: 'READ' as const,
            })),
          },
        }),
      ),
    );
    const badCanned = await rawRequest(`${t.emulator.endpoint}/writer?acl`, {
      method: 'PUT',
      headers: { 'x-amz-acl': 'everyone' },
    });
    // Assess
    expect(email).toMatchObject({ name: 'UnsupportedArgument', status: 400 });
    expect(unknownGroup).toMatchObject({ name: 'InvalidArgument', status: 400 });
    expect(both).toMatchObject({ name: 'InvalidRequest', status: 400 });
    expect(tooMany).toMatchObject({ name: 'MalformedACLError', status: 400 });
    expect([badCanned.status, badCanned.body]).toEqual([400, expect.stringContaining('InvalidArgument')]);
  });
});

describe('ownership controls', () => {
  it('are set, refused while the ACL grants others, and deleted (then NotFound)', async () => {
    // Prepare
    await t.s3.send(new CreateBucketCommand({ Bucket: 'controls', ObjectOwnership: 'BucketOwnerPreferred' }));
    await t.s3.send(new PutBucketAclCommand({ Bucket: 'controls', ACL: 'public-read' }));
    // Act
    const enforce = await awsErrorOf(
      t.s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket: 'controls',
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        }),
      ),
    );
    await t.s3.send(new PutBucketAclCommand({ Bucket: 'controls', ACL: 'private' }));
    await t.s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: 'controls',
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    const enforced = await t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'controls' }));
    await t.s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'controls' }));
    const gone = await awsErrorOf(t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'controls' })));
    // Assess
    expect(enforce).toMatchObject({ name: 'InvalidBucketAclWithObjectOwnership', status: 400 });
    expect(enforced.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(gone).toMatchObject({ name: 'OwnershipControlsNotFoundError', status: 404 });
  });
});

describe('a CloudFormation bucket', () => {
  it('gets its OwnershipControls and canned AccessControl at deploy (CDK objectOwnership, accessControl)', async () => {
    // Act
    const deployment = await deployStacks(t.emulator, [
      {
        id: 'Logs',
        stackName: 'local-logs',
        template: {
          Resources: {
            Bucket: {
              Type: 'AWS::S3::Bucket',
              Properties: {
                AccessControl: 'LogDeliveryWrite',
                OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
              },
            },
          },
          Outputs: { Name: { Value: { Ref: 'Bucket' } } },
        },
        dependsOn: [],
        assets: new Map(),
      },
    ]);
    const bucket = deployment.output('Logs', 'Name');
    const acl = await t.s3.send(new GetBucketAclCommand({ Bucket: bucket }));
    const controls = await t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
    // Assess
    expect(acl.Grants).toEqual([ownerGrant(), group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')]);
    expect(controls.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'ObjectWriter' }]);
  });
});
