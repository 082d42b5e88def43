/**
 * S3 access control lists and Object Ownership: canned ACLs, `x-amz-grant-*` headers and AccessControlPolicy
 * documents become the grants AWS returns. The emulator stores and returns ACLs; it does not enforce them.
 *
 * AWS: buckets created since April 2023 have Object Ownership BucketOwnerEnforced, which disables ACLs: reads
 * still answer (the owner's FULL_CONTROL), and only writes of an ACL that grants the owner alone succeed.
 */
import { createHash } from 'node:crypto';
import { S3Error } from './errors';

export type Permission = 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
export const OBJECT_OWNERSHIPS: readonly ObjectOwnership[] = [
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
];

export type Grantee =
  | { readonly type: 'CanonicalUser'; readonly id: string; readonly displayName?: string }
  | { readonly type: 'Group'; readonly uri: string };

export interface Grant {
  readonly grantee: Grantee;
  readonly permission: Permission;
}

/** An ACL as S3 keeps it: the owner's canonical id and the grants, in order. */
export interface AccessControlPolicy {
  readonly ownerId: string;
  readonly grants: readonly Grant[];
}

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);
/** AWS: `aws-exec-read` grants READ to EC2's canonical user (it reads AMI bundles). */
const EC2_BUNDLE_READER: Grantee = {
  type: 'CanonicalUser',
  id: '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c',
  displayName: 'za-team',
};
const PERMISSIONS: readonly Permission[] = ['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'];
const MAX_GRANTS = 100;

export const BUCKET_CANNED_ACLS = ['private', 'public-read', 'public-read-write', 'authenticated-read'];
export const OBJECT_CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
];
/** Canned ACLs AWS takes on a bucket besides the bucket ones (PutBucketAcl, CreateBucket). */
const BUCKET_ONLY_CANNED = ['log-delivery-write'];

/** The account's canonical user id, as listings' Owner shows it. */
export function canonicalIdOf(accountId: string): string {
  return createHash('sha256').update(accountId).digest('hex');
}

/** The owner's FULL_CONTROL alone: S3's default ACL, and the only one BucketOwnerEnforced keeps. */
export function privateAcl(ownerId: string): AccessControlPolicy {
  return {
    ownerId,
    grants: [{ grantee: { type: 'CanonicalUser', id: ownerId }, permission: 'FULL_CONTROL' }],
  };
}

/** A canned ACL's grants (object and bucket owner are the same account here, so bucket-owner-* add nothing). */
export function cannedAcl(name: string, ownerId: string, target: 'bucket' | 'object'): AccessControlPolicy {
  const allowed = target === 'bucket' ? [...BUCKET_CANNED_ACLS, ...BUCKET_ONLY_CANNED] : OBJECT_CANNED_ACLS;
  // AWS also takes the object ACLs on a bucket (aws-exec-read, bucket-owner-*)
  if (!allowed.includes(name) && !OBJECT_CANNED_ACLS.includes(name)) {
    throw new S3Error('InvalidArgument', '', 400, [
      ['ArgumentName', 'x-amz-acl'],
      ['ArgumentValue', name],
    ]);
  }
  const base = privateAcl(ownerId).grants;
  const group = (uri: string, permission: Permission): Grant => ({
    grantee: { type: 'Group', uri },
    permission,
  });
  const extra: Record<string, Grant[]> = {
    'public-read': [group(ALL_USERS, 'READ')],
    'public-read-write': [group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')],
    'authenticated-read': [group(AUTHENTICATED_USERS, 'READ')],
    'aws-exec-read': [{ grantee: EC2_BUNDLE_READER, permission: 'READ' }],
    'log-delivery-write': [group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')],
  };
  return { ownerId, grants: [...base, ...(extra[name] ?? [])] };
}

/** The `x-amz-grant-*` headers of a request, by permission. */
export type GrantHeaders = Partial<Record<Permission, string>>;

export function grantHeadersOf(input: Record<string, unknown>): GrantHeaders {
  const headers: Record<string, string> = {};
  const members: Record<Permission, string> = {
    FULL_CONTROL: 'GrantFullControl',
    READ: 'GrantRead',
    WRITE: 'GrantWrite',
    READ_ACP: 'GrantReadACP',
    WRITE_ACP: 'GrantWriteACP',
  };
  for (const permission of PERMISSIONS) {
    const value = input[members[permission]];
    if (value !== undefined) headers[permission] = String(value);
  }
  return headers;
}

/** Grants from `x-amz-grant-*` headers: `id="…"`, `uri="…"` (or `emailAddress="…"`, refused), comma-separated. */
export function aclFromGrantHeaders(headers: GrantHeaders, ownerId: string): AccessControlPolicy | undefined {
  const grants: Grant[] = [];
  for (const permission of PERMISSIONS) {
    const value = headers[permission];
    if (value === undefined) continue;
    for (const part of value.split(',')) {
      const text = part.trim();
      const equals = text.indexOf('=');
      if (equals <= 0) throw invalidGrantHeader(value);
      const kind = text.slice(0, equals).trim().toLowerCase();
      let target = text.slice(equals + 1).trim();
      if (target.length >= 2 && target.startsWith('"') && target.endsWith('"')) target = target.slice(1, -1);
      grants.push({ grantee: granteeOf(kind, target), permission });
    }
  }
  return grants.length === 0 ? undefined : { ownerId, grants };
}

function granteeOf(kind: string, target: string): Grantee {
  if (kind === 'id') return { type: 'CanonicalUser', id: validCanonicalId(target) };
  if (kind === 'uri') return { type: 'Group', uri: validGroup(target) };
  if (kind === 'emailaddress') throw emailGrantee();
  throw invalidGrantHeader(`${kind}=${target}`);
}

/** An AccessControlPolicy body, as the SDK's input shapes it (Grantee's `xsi:type` is inferred from its fields). */
export function aclFromPolicy(policy: Record<string, unknown>, ownerId: string): AccessControlPolicy {
  const owner = policy.Owner as { ID?: string } | undefined;
  // AWS: an AccessControlPolicy names its owner, and only the bucket's owner can be it
  if (owner?.ID === undefined) throw malformedAcl();
  if (owner.ID !== ownerId) throw new S3Error('AccessDenied', 'Access Denied', 403);
  const grants = ((policy.Grants as Record<string, unknown>[] | undefined) ?? []).map((g): Grant => {
    const permission = g.Permission as Permission;
    const grantee = g.Grantee as { ID?: string; URI?: string; EmailAddress?: string } | undefined;
    if (!PERMISSIONS.includes(permission) || grantee === undefined) throw malformedAcl();
    if (grantee.EmailAddress !== undefined) throw emailGrantee();
    if (grantee.ID !== undefined)
      return { grantee: { type: 'CanonicalUser', id: validCanonicalId(grantee.ID) }, permission };
    if (grantee.URI !== undefined)
      return { grantee: { type: 'Group', uri: validGroup(grantee.URI) }, permission };
    throw malformedAcl();
  });
  return { ownerId, grants };
}

/** Whether an ACL grants the owner alone (FULL_CONTROL): what BucketOwnerEnforced accepts. */
export function grantsOwnerOnly(acl: AccessControlPolicy): boolean {
  return acl.grants.every(
    (g) =>
      g.grantee.type === 'CanonicalUser' && g.grantee.id === acl.ownerId && g.permission === 'FULL_CONTROL',
  );
}

/** AWS: with BucketOwnerEnforced, setting an ACL other than the owner's full control fails. */
export function aclNotSupported(): S3Error {
  return new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
}

/** AWS: CreateBucket with an ACL that grants others, on a bucket that enforces bucket-owner ownership. */
export function invalidBucketAclWithObjectOwnership(): S3Error {
  return new S3Error(
    'InvalidBucketAclWithObjectOwnership',
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    400,
  );
}

/**
 * The ACL one request sets: a canned ACL, grant headers or a policy document; AWS refuses a canned ACL
 * together with grant headers, and a body together with either.
 */
export function requestedAcl(
  request: { canned?: string; grants: GrantHeaders; policy?: Record<string, unknown> },
  ownerId: string,
  target: 'bucket' | 'object',
): AccessControlPolicy | undefined {
  const hasGrants = Object.keys(request.grants).length > 0;
  if (request.canned !== undefined && hasGrants) {
    throw new S3Error('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (request.policy !== undefined && (request.canned !== undefined || hasGrants)) {
    throw new S3Error('UnexpectedContent', 'This request does not support content');
  }
  if (request.canned !== undefined) return cannedAcl(request.canned, ownerId, target);
  const acl = hasGrants
    ? aclFromGrantHeaders(request.grants, ownerId)
    : request.policy !== undefined
      ? aclFromPolicy(request.policy, ownerId)
      : undefined;
  // AWS: an ACL can have up to 100 grants
  if (acl && acl.grants.length > MAX_GRANTS) throw malformedAcl();
  return acl;
}

/** The SDK's output shape of an ACL (GetBucketAcl, GetObjectAcl). */
export function aclOutput(acl: AccessControlPolicy): Record<string, unknown> {
  return {
    Owner: { ID: acl.ownerId },
    Grants: acl.grants.map((g) => ({
      Grantee:
        g.grantee.type === 'CanonicalUser'
          ? { Type: 'CanonicalUser', ID: g.grantee.id, DisplayName: g.grantee.displayName }
          : { Type: 'Group', URI: g.grantee.uri },
      Permission: g.permission,
    })),
  };
}

/** AWS: canonical user ids are 64 hex digits. */
function validCanonicalId(id: string): string {
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new S3Error('InvalidArgument', 'Invalid id', 400, [
      ['ArgumentName', 'CanonicalUser/ID'],
      ['ArgumentValue', id],
    ]);
  return id;
}

function validGroup(uri: string): string {
  if (!GROUPS.has(uri))
    throw new S3Error('InvalidArgument', 'Invalid group uri', 400, [
      ['ArgumentName', 'Group/URI'],
      ['ArgumentValue', uri],
    ]);
  return uri;
}

/** AWS: grants by e-mail address are gone (refused in every region since October 2025, never taken in newer ones). */
function emailGrantee(): S3Error {
  return new S3Error('UnsupportedArgument', 'The request contained an unsupported argument.', 400);
}

function invalidGrantHeader(value: string): S3Error {
  return new S3Error('InvalidArgument', 'Invalid grant header', 400, [
    ['ArgumentName', 'x-amz-grant'],
    ['ArgumentValue', value],
  ]);
}

function malformedAcl(): S3Error {
  return new S3Error(
    'MalformedACLError',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );
}
