/** S3's errors carry extra elements after `<Message>` (BucketName, Key, ArgumentName, …). */
import { AwsError } from '../errors';

export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    httpStatus = 400,
    /** Extra `<Name>value</Name>` elements of the XML error, in AWS's order. */
    readonly details: readonly (readonly [string, string])[] = [],
    /** Response headers the error carries (a delete marker's `x-amz-delete-marker`, `x-amz-version-id`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, httpStatus, httpStatus >= 500 ? 'Receiver' : 'Sender');
    this.name = 'AwsError';
  }
}

export function noSuchBucket(bucket: string): S3Error {
  return new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, [['BucketName', bucket]]);
}

export function noSuchKey(key: string): S3Error {
  return new S3Error('NoSuchKey', 'The specified key does not exist.', 404, [['Key', key]]);
}

export function noSuchUpload(uploadId: string): S3Error {
  return new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    [['UploadId', uploadId]],
  );
}

export function malformedXml(): S3Error {
  return new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );
}

export function invalidArgument(message: string, name: string, value: string): S3Error {
  return new S3Error('InvalidArgument', message, 400, [
    ['ArgumentName', name],
    ['ArgumentValue', value],
  ]);
}

/** AWS: ListBuckets's max-buckets is 1 to 10,000. */
export function invalidMaxBuckets(value: string): S3Error {
  return invalidArgument(
    'Argument max-buckets must be an integer between 1 and 10000.',
    'max-buckets',
    value,
  );
}
