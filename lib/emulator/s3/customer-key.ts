/**
 * SSE-C: server-side encryption with a key the customer sends on every request. The emulator validates the
 * three headers as S3 does, keeps only the key's MD5 with the object (never the key) and requires the same key
 * to read it. The bytes are not encrypted at rest, and SSE-C is accepted over plain HTTP (AWS requires HTTPS;
 * the emulator serves HTTP on loopback only).
 */
import { createHash } from 'node:crypto';
import { S3Error } from './errors';

/** What S3 keeps of a customer key: the algorithm and the key's base64 MD5. */
export interface CustomerKey {
  readonly algorithm: 'AES256';
  readonly keyMd5: string;
}

/** The three SSE-C members of a request, as the SDK's input names them (or their CopySource… variants). */
export interface CustomerKeyHeaders {
  readonly algorithm?: string;
  readonly key?: string;
  readonly keyMd5?: string;
  /** The request's x-amz-server-side-encryption (writes), which SSE-C excludes. */
  readonly serverSideEncryption?: string;
}

/** Header prefix of the target's SSE-C headers and of a copy source's. */
export const TARGET_KEY_HEADER = 'x-amz-server-side-encryption-customer';
export const COPY_SOURCE_KEY_HEADER = 'x-amz-copy-source-server-side-encryption-customer';

/** AWS: SSE-C keys are 256-bit AES keys. */
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The SSE-C members of an SDK input (`prefix` '' for the target, 'CopySource' for a copy's source). */
export function customerKeyHeadersOf(
  input: Record<string, unknown>,
  prefix: '' | 'CopySource' = '',
): CustomerKeyHeaders {
  const member = (name: string): string | undefined => {
    const value = input[`${prefix}${name}`];
    return value === undefined ? undefined : String(value);
  };
  return {
    algorithm: member('SSECustomerAlgorithm'),
    key: member('SSECustomerKey'),
    keyMd5: member('SSECustomerKeyMD5'),
    serverSideEncryption:
      prefix === '' && input.ServerSideEncryption !== undefined
        ? String(input.ServerSideEncryption)
        : undefined,
  };
}

/**
 * Validates SSE-C headers as S3 does (localstack's recorded answers): none is no customer key; otherwise the
 * algorithm must be AES256, the key a base64 256-bit key and the MD5 the key's. `header` names the family in
 * errors (the target's or the copy source's).
 */
export function customerKeyOf(
  headers: CustomerKeyHeaders,
  header: string = TARGET_KEY_HEADER,
): CustomerKey | undefined {
  const { algorithm, key, keyMd5 } = headers;
  if (algorithm === undefined && key === undefined && keyMd5 === undefined) return undefined;
  // AWS: SSE-C and x-amz-server-side-encryption are one choice, not two
  if (headers.serverSideEncryption !== undefined) {
    throw new S3Error(
      'InvalidArgument',
      'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
      400,
      [
        ['ArgumentName', 'x-amz-server-side-encryption'],
        ['ArgumentValue', headers.serverSideEncryption],
      ],
    );
  }
  if (algorithm === undefined) {
    throw argument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.',
      `${header}-algorithm`,
    );
  }
  if (key === undefined) {
    throw argument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.',
      `${header}-key`,
    );
  }
  if (algorithm !== 'AES256') {
    throw new S3Error(
      'InvalidEncryptionAlgorithmError',
      'The Encryption request you specified is not valid. Supported value: AES256.',
      400,
      [
        ['ArgumentName', `${header}-algorithm`],
        ['ArgumentValue', algorithm],
      ],
    );
  }
  const bytes = BASE64.test(key) && key.length % 4 === 0 ? Buffer.from(key, 'base64') : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES) {
    throw argument('The secret key was invalid for the specified algorithm.', `${header}-key`);
  }
  const md5 = createHash('md5').update(bytes).digest('base64');
  if (keyMd5 === undefined) {
    throw argument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
      `${header}-key-MD5`,
    );
  }
  if (keyMd5 !== md5) {
    throw argument(
      'The calculated MD5 hash of the key did not match the hash that was provided.',
      `${header}-key-MD5`,
    );
  }
  return { algorithm: 'AES256', keyMd5: md5 };
}

/** S3's answers when a presented SSE-C key does not fit what was stored: none, a missing one, another one. */
interface KeyMismatchErrors {
  readonly unexpected: string;
  readonly missing: string;
  readonly wrong: () => S3Error;
}

const OBJECT_KEY_ERRORS: KeyMismatchErrors = {
  unexpected: 'The encryption parameters are not applicable to this object.',
  missing:
    'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
  wrong: () =>
    new S3Error(
      'AccessDenied',
      'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.',
      403,
    ),
};

const PART_KEY_ERRORS: KeyMismatchErrors = {
  unexpected: 'The encryption parameters are not applicable to this object.',
  missing:
    'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
  wrong: () =>
    new S3Error(
      'InvalidArgument',
      'The provided encryption parameters did not match the ones used originally.',
    ),
};

function verifyKeyFits(
  stored: CustomerKey | undefined,
  presented: CustomerKey | undefined,
  errors: KeyMismatchErrors,
): void {
  if (stored === undefined) {
    if (presented !== undefined) throw new S3Error('InvalidRequest', errors.unexpected);
    return;
  }
  if (presented === undefined) throw new S3Error('InvalidRequest', errors.missing);
  if (presented.keyMd5 !== stored.keyMd5) throw errors.wrong();
}

/**
 * Reading an object (GET, HEAD, a copy's or UploadPartCopy's source): an SSE-C object needs its key (none: 400
 * InvalidRequest; another: 403 AccessDenied), and a key given for an object stored without one is refused.
 */
export function verifyCustomerKey(stored: CustomerKey | undefined, presented: CustomerKey | undefined): void {
  verifyKeyFits(stored, presented, OBJECT_KEY_ERRORS);
}

/** UploadPart of an upload created with SSE-C: each part must present the upload's key. */
export function verifyPartCustomerKey(
  upload: CustomerKey | undefined,
  presented: CustomerKey | undefined,
): void {
  verifyKeyFits(upload, presented, PART_KEY_ERRORS);
}

/** The response members S3 echoes for an SSE-C object (and the ServerSideEncryption it then leaves out). */
export function customerKeyOutput(key: CustomerKey | undefined): Record<string, string> {
  return key === undefined
    ? { ServerSideEncryption: 'AES256' }
    : { SSECustomerAlgorithm: key.algorithm, SSECustomerKeyMD5: key.keyMd5 };
}

function argument(message: string, name: string): S3Error {
  return new S3Error('InvalidArgument', message, 400, [['ArgumentName', name]]);
}
