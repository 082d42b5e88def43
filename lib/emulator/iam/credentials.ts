/**
 * Temporary credentials the emulator hands its own code (a function's execution environment, an instance
 * process), each bound to a role session as Lambda's runtime and the EC2 instance profile are on AWS. They are
 * derived from the role and session name, so a restarted emulator recognises keys it handed out before.
 */
import { createHash } from 'node:crypto';

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** The role the session belongs to: `arn:aws:iam::ACCOUNT:role/NAME`. */
  readonly roleArn: string;
  /** The session's ARN: `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`. */
  readonly sessionArn: string;
}

/** AWS: temporary keys start `ASIA`; the emulator's carry a marker so they are never mistaken for a user's. */
const KEY_PREFIX = 'ASIALOCAL';

export class CredentialIssuer {
  private readonly byKey = new Map<string, IssuedCredentials>();

  /** The credentials of `sessionName` in `roleArn` (the same ones each time: derived, not random). */
  issue(roleArn: string, sessionName: string): IssuedCredentials {
    const digest = createHash('sha256').update(`decoupled-local-iam\0${roleArn}\0${sessionName}`).digest();
    const accessKeyId = `${KEY_PREFIX}${digest.subarray(0, 10).toString('hex').toUpperCase()}`.slice(0, 20);
    const existing = this.byKey.get(accessKeyId);
    if (existing) return existing;
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const account = roleArn.split(':')[4] ?? '';
    const credentials: IssuedCredentials = {
      accessKeyId,
      secretAccessKey: digest.subarray(10, 30).toString('base64'),
      sessionToken: `local-session/${digest.subarray(0, 24).toString('base64')}`,
      roleArn,
      sessionArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    };
    this.byKey.set(accessKeyId, credentials);
    return credentials;
  }

  /** The issued credentials of an access key id, if the emulator issued it. */
  lookup(accessKeyId: string): IssuedCredentials | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Whether a key looks like one the emulator issues (issued by a previous run when not known now). */
  static isLocalKey(accessKeyId: string): boolean {
    return accessKeyId.startsWith(KEY_PREFIX);
  }
}
