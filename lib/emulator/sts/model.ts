/** What STS keeps: the temporary credentials it issued, so later calls (and a later IAM) know who signed them. */

/** Who a set of credentials acts as, as GetCallerIdentity reports it. */
export interface CallerIdentity {
  readonly account: string;
  /** `AROA…:session` for an assumed role; the account id for the root user. */
  readonly userId: string;
  readonly arn: string;
}

/** A session tag passed to AssumeRole. */
export interface SessionTag {
  readonly key: string;
  readonly value: string;
  /** Whether it passes on to sessions this one assumes (TransitiveTagKeys). */
  readonly transitive: boolean;
}

/** One set of temporary credentials from AssumeRole or GetSessionToken. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds on the emulator clock. */
  readonly expiration: number;
  readonly identity: CallerIdentity;
  /** How they were obtained: AssumeRole (a role session) or GetSessionToken (the caller's own session). */
  readonly source: 'AssumeRole' | 'GetSessionToken';
  /** AssumeRole: the role's ARN, as given. */
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly externalId?: string;
  readonly sourceIdentity?: string;
  /** The inline session policy, as given. */
  readonly policy?: string;
  readonly policyArns: readonly string[];
  readonly tags: readonly SessionTag[];
  /** The MFA device the caller named (not verified locally). */
  readonly mfaSerialNumber?: string;
}
