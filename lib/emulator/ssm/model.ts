/** What Parameter Store keeps: each parameter's versions (value, type, labels…) and its tags. */

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** One version of a parameter, as PutParameter wrote it. */
export interface ParameterVersion {
  readonly version: number;
  readonly value: string;
  readonly type: ParameterType;
  readonly description?: string;
  readonly allowedPattern?: string;
  /** SecureString: the KMS key named (`alias/aws/ssm` by default); the value is not encrypted locally. */
  readonly keyId?: string;
  readonly tier: ParameterTier;
  readonly dataType: string;
  /** Epoch milliseconds on the emulator clock. */
  readonly lastModifiedDate: number;
  /** The ARN of whoever wrote it. */
  readonly lastModifiedUser: string;
  /** Labels move between versions (LabelParameterVersion), so this list is the one mutable part. */
  labels: string[];
}

export interface ParameterRecord {
  readonly name: string;
  /** Oldest first; AWS keeps the last 100. */
  readonly versions: ParameterVersion[];
  readonly tags: Map<string, string>;
}
