/**
 * Server-side encryption settings of buckets and objects: a bucket's default encryption (PutBucketEncryption,
 * AWS::S3::Bucket BucketEncryption) and what each object was written with (SSE-S3, SSE-KMS, DSSE-KMS). The
 * emulator keeps bytes as they came (no KMS is emulated): it stores, applies and reports the settings as S3 does,
 * so clients that choose their upload headers from the bucket's default (cdk-assets) see what they would on AWS.
 * SSE-C is customer-key.ts.
 */
import { createHash } from 'node:crypto';
import { malformedXml, S3Error } from './errors';

export const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
export type SseAlgorithm = (typeof SSE_ALGORITHMS)[number];

/** How an object is encrypted at rest, as S3 reports it. */
export interface ObjectEncryption {
  readonly algorithm: SseAlgorithm;
  /** KMS: the key's ARN (the account's AWS managed `aws/s3` key when none was named). */
  readonly kmsKeyId?: string;
  /** KMS: the encryption context as sent (base64 JSON), echoed on writes. */
  readonly context?: string;
  readonly bucketKeyEnabled: boolean;
}

/** A bucket's default encryption: one rule, as S3 keeps it. */
export interface BucketEncryption {
  readonly algorithm: SseAlgorithm;
  /** KMS: the key named in the rule, as given (absent: the AWS managed key). */
  readonly kmsMasterKeyId?: string;
  readonly bucketKeyEnabled: boolean;
}

/** AWS (since January 2023): every bucket without a configuration of its own encrypts with SSE-S3. */
export const DEFAULT_BUCKET_ENCRYPTION: BucketEncryption = { algorithm: 'AES256', bucketKeyEnabled: false };

/** The encryption members of a write (PutObject, CopyObject, CreateMultipartUpload), as received. */
export interface RequestedEncryption {
  readonly algorithm?: string;
  readonly kmsKeyId?: string;
  readonly context?: string;
  readonly bucketKeyEnabled?: boolean;
}

/** The ServerSideEncryptionConfiguration of PutBucketEncryption, checked: one rule with a known algorithm. */
export function bucketEncryptionOf(configuration: {
  readonly Rules?: ReadonlyArray<{
    readonly ApplyServerSideEncryptionByDefault?: {
      readonly SSEAlgorithm?: string;
      readonly KMSMasterKeyID?: string;
    };
    readonly BucketKeyEnabled?: boolean;
  }>;
}): BucketEncryption {
  const rules = configuration.Rules ?? [];
  // AWS: the configuration holds exactly one rule, and the rule an algorithm
  if (rules.length !== 1) throw malformedXml();
  const applied = rules[0].ApplyServerSideEncryptionByDefault;
  const algorithm = applied?.SSEAlgorithm;
  if (algorithm === undefined) throw malformedXml();
  if (!isSseAlgorithm(algorithm)) throw malformedXml();
  const key = applied?.KMSMasterKeyID;
  if (key !== undefined && algorithm === 'AES256') {
    throw new S3Error(
      'InvalidArgument',
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      400,
      [
        ['ArgumentName', 'ApplyServerSideEncryptionByDefault'],
        ['ArgumentValue', 'null'],
      ],
    );
  }
  if (key !== undefined) checkKmsKeyId(key, 'ApplyServerSideEncryptionByDefault');
  return {
    algorithm,
    ...(key === undefined ? {} : { kmsMasterKeyId: key }),
    bucketKeyEnabled: rules[0].BucketKeyEnabled === true,
  };
}

/** The encryption a new object gets: what the write asked for, else the bucket's default. */
export function objectEncryptionOf(
  requested: RequestedEncryption,
  bucketDefault: BucketEncryption,
  where: { readonly region: string; readonly accountId: string },
): ObjectEncryption {
  const algorithm = requested.algorithm;
  if (algorithm !== undefined && !isSseAlgorithm(algorithm)) {
    throw new S3Error('InvalidArgument', 'The encryption method specified is not supported', 400, [
      ['ArgumentName', 'x-amz-server-side-encryption'],
      ['ArgumentValue', algorithm],
    ]);
  }
  const kms = (value: string | undefined) => value === 'aws:kms' || value === 'aws:kms:dsse';
  if ((requested.kmsKeyId !== undefined || requested.context !== undefined) && !kms(algorithm)) {
    // AWS: the KMS members come only with x-amz-server-side-encryption: aws:kms
    throw new S3Error(
      'InvalidArgument',
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      400,
      [
        ['ArgumentName', 'x-amz-server-side-encryption'],
        ['ArgumentValue', 'null'],
      ],
    );
  }
  if (requested.kmsKeyId !== undefined)
    checkKmsKeyId(requested.kmsKeyId, 'x-amz-server-side-encryption-aws-kms-key-id');
  if (requested.context !== undefined) checkEncryptionContext(requested.context);
  const chosen = algorithm ?? bucketDefault.algorithm;
  if (chosen === 'AES256') return { algorithm: chosen, bucketKeyEnabled: false };
  const key =
    algorithm === undefined
      ? bucketDefault.kmsMasterKeyId
      : (requested.kmsKeyId ?? bucketDefault.kmsMasterKeyId);
  return {
    algorithm: chosen,
    kmsKeyId: keyArnOf(key, where),
    ...(requested.context === undefined ? {} : { context: requested.context }),
    bucketKeyEnabled: requested.bucketKeyEnabled ?? bucketDefault.bucketKeyEnabled,
  };
}

/** The response members of an object's encryption (PutObject, GetObject, HeadObject, UploadPart …). */
export function encryptionOutput(encryption: ObjectEncryption): Record<string, string | boolean> {
  if (encryption.algorithm === 'AES256') return { ServerSideEncryption: 'AES256' };
  return {
    ServerSideEncryption: encryption.algorithm,
    ...(encryption.kmsKeyId === undefined ? {} : { SSEKMSKeyId: encryption.kmsKeyId }),
    ...(encryption.bucketKeyEnabled ? { BucketKeyEnabled: true } : {}),
  };
}

/** A bucket's default encryption as GetBucketEncryption answers it. */
export function bucketEncryptionOutput(encryption: BucketEncryption): Record<string, unknown> {
  return {
    ServerSideEncryptionConfiguration: {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: encryption.algorithm,
            ...(encryption.kmsMasterKeyId === undefined ? {} : { KMSMasterKeyID: encryption.kmsMasterKeyId }),
          },
          BucketKeyEnabled: encryption.bucketKeyEnabled,
        },
      ],
    },
  };
}

function isSseAlgorithm(value: string): value is SseAlgorithm {
  return (SSE_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * A key as S3 reports it: an ARN. A key id becomes the key's ARN, an alias the alias's ARN (no KMS resolves it
 * locally), none the account's AWS managed key for S3 (a stable id per account and region).
 */
function keyArnOf(key: string | undefined, where: { readonly region: string; readonly accountId: string }) {
  const prefix = `arn:aws:kms:${where.region}:${where.accountId}`;
  if (key === undefined) {
    const hex = createHash('sha256').update(`${prefix}:alias/aws/s3`).digest('hex');
    return `${prefix}:key/${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }
  if (key.startsWith('arn:')) return key;
  return key.startsWith('alias/') ? `${prefix}:${key}` : `${prefix}:key/${key}`;
}

/** Key ids, key ARNs, alias names and alias ARNs: KMS's own limit of 2048 characters, no blanks. */
function checkKmsKeyId(key: string, argument: string): void {
  if (key.length === 0 || key.length > 2048 || /\s/.test(key)) {
    throw new S3Error('KMS.NotFoundException', `Invalid keyId '${key.slice(0, 100)}'`, 400, [
      ['ArgumentName', argument],
    ]);
  }
}

/** AWS: the context is base64 of a JSON object of strings. */
function checkEncryptionContext(context: string): void {
  let parsed: unknown;
  try {
    const text = Buffer.from(context, 'base64').toString('utf8');
    parsed = Buffer.from(text, 'utf8').toString('base64') === context ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((value) => typeof value === 'string');
  if (!valid) {
    throw new S3Error(
      'InvalidArgument',
      "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
      400,
      [['ArgumentName', 'x-amz-server-side-encryption-context']],
    );
  }
}
