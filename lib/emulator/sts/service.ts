/**
 * AWS Security Token Service: who is calling (GetCallerIdentity) and temporary credentials (AssumeRole,
 * GetSessionToken, GetAccessKeyInfo). One method per AWS operation, SDK shapes in and out.
 *
 * The emulator does not check signatures or permissions (yet): any credentials work, and the credentials issued
 * here work too. What was issued is kept (`issued(accessKeyId)`) so that the caller of later calls is known:
 * GetCallerIdentity with them answers the assumed role's ARN, and a later IAM can evaluate the role's policies.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  AssumeRoleRequest,
  AssumeRoleResponse,
  GetAccessKeyInfoRequest,
  GetAccessKeyInfoResponse,
  GetCallerIdentityRequest,
  GetCallerIdentityResponse,
  GetSessionTokenRequest,
  GetSessionTokenResponse,
} from '@aws-sdk/client-sts';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import type { CallerIdentity, IssuedCredentials, SessionTag } from './model';
import {
  isDigit,
  isExternalIdCharacter,
  isNameCharacter,
  isTagCharacter,
  validationError,
  ValidationProblems,
} from './validation';

export type { CallerIdentity, IssuedCredentials, SessionTag } from './model';

/** Who signed a request: the access key id of its SigV4 credential, when it was signed. */
export interface RequestCaller {
  readonly accessKeyId?: string;
}

export interface StsServiceOptions {
  readonly clock: Clock;
  readonly accountId: string;
  /** Sessions the emulator issued its own code (a function, an instance; `--iam`), by access key id. */
  readonly roleSessions?: (accessKeyId: string) => RoleSession | undefined;
}

/** A role session whose credentials the emulator handed out: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
export interface RoleSession {
  readonly roleArn: string;
  readonly sessionArn: string;
}

/** AWS: role sessions last 900 s to 12 h (the role's MaxSessionDuration, at most 43200), 1 h by default. */
const ROLE_SESSION = { min: 900, max: 43_200, default: 3_600 } as const;
/** AWS: a session from role chaining (assumed with role credentials) lasts at most 1 hour. */
const CHAINED_MAX = 3_600;
/** AWS: GetSessionToken sessions last 900 s to 36 h, 12 h by default; the root user's at most 1 hour. */
const USER_SESSION = { min: 900, max: 129_600, default: 43_200, root: 3_600 } as const;
/** AWS: the plaintext of the inline policy and the managed policy ARNs together: at most 2048 characters. */
const MAX_POLICY_CHARACTERS = 2_048;
/** AWS limits on session tags: 50 tags, keys up to 128 characters, values up to 256. */
const MAX_SESSION_TAGS = 50;
/** AWS: MinimumSessionTokenSize is at most 4096 bytes. */
const MAX_MINIMUM_TOKEN_SIZE = 4_096;
/** Issued credentials kept at most; expired ones are dropped first, then the oldest. */
const MAX_ISSUED = 100_000;
/** `arn:aws:iam::123456789012:role/path/Name`: the ARN of an IAM role. */
const ROLE_ARN_PREFIX = /^arn:aws[\w-]*:iam::(\d{12}):role\//;
/** Base32 as AWS access key ids use it. */
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class StsService {
  private readonly clock: Clock;
  private readonly accountId: string;
  private readonly roleSessions: StsServiceOptions['roleSessions'];
  /** Issued credentials by access key id, in the order they were issued. */
  private readonly credentials = new Map<string, IssuedCredentials>();

  constructor(options: StsServiceOptions) {
    this.clock = options.clock;
    this.accountId = options.accountId;
    this.roleSessions = options.roleSessions;
  }

  // ----- operations ------------------------------------------------------------------------------------------

  getCallerIdentity(_input: GetCallerIdentityRequest, caller: RequestCaller = {}): GetCallerIdentityResponse {
    const identity = this.identityOf(caller);
    return { UserId: identity.userId, Account: identity.account, Arn: identity.arn };
  }

  assumeRole(input: AssumeRoleRequest, caller: RequestCaller = {}): AssumeRoleResponse {
    const problems = new ValidationProblems();
    const roleArn = input.RoleArn;
    const sessionName = input.RoleSessionName;
    if (roleArn === undefined) throw missing('RoleArn');
    if (sessionName === undefined) throw missing('RoleSessionName');
    problems.length('roleArn', roleArn, 20, 2048);
    problems
      .length('roleSessionName', sessionName, 2, 64)
      .characters('roleSessionName', sessionName, isNameCharacter, '[\\w+=,.@-]*');
    if (input.ExternalId !== undefined) {
      problems
        .length('externalId', input.ExternalId, 2, 1224)
        .characters('externalId', input.ExternalId, isExternalIdCharacter, '[\\w+=,.@:\\/-]*');
    }
    if (input.SourceIdentity !== undefined) {
      problems
        .length('sourceIdentity', input.SourceIdentity, 2, 64)
        .characters('sourceIdentity', input.SourceIdentity, isNameCharacter, '[\\w+=,.@-]*');
    }
    if (input.Policy !== undefined) problems.length('policy', input.Policy, 1, 100_000);
    const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
    problems.count('policyArns', policyArns, 10);
    policyArns.forEach((arn, i) => problems.length(`policyArns.${i + 1}.member.arn`, arn, 20, 2048));
    const tags = input.Tags ?? [];
    problems.count('tags', tags, MAX_SESSION_TAGS);
    tags.forEach((tag, i) => checkTag(problems, `tags.${i + 1}.member`, tag.Key ?? '', tag.Value ?? ''));
    const transitive = input.TransitiveTagKeys ?? [];
    problems.count('transitiveTagKeys', transitive, MAX_SESSION_TAGS);
    this.checkMfa(problems, input.SerialNumber, input.TokenCode);
    const minimumTokenSize = this.checkMinimumTokenSize(problems, input.MinimumSessionTokenSize);
    const parent = this.issuedTo(caller);
    const duration = input.DurationSeconds ?? ROLE_SESSION.default;
    problems.range('durationSeconds', duration, ROLE_SESSION.min, ROLE_SESSION.max);
    problems.throwIfAny();

    const account = ROLE_ARN_PREFIX.exec(roleArn)?.[1];
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    if (account === undefined || roleName === '') {
      throw validationError(`${roleArn} is invalid`);
    }
    // AWS: role chaining (assuming a role with a role session's credentials) caps the session at 1 hour
    if (parent?.source === 'AssumeRole' && duration > CHAINED_MAX) {
      throw validationError(
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    const policySize = (input.Policy?.length ?? 0) + policyArns.reduce((n, arn) => n + arn.length, 0);
    if (policySize > MAX_POLICY_CHARACTERS) {
      throw new AwsError(
        'PackedPolicyTooLarge',
        'Packed policy consumes more than the allotted space: session policies total at most 2048 characters.',
      );
    }
    // parsed only once it is known to be small
    if (input.Policy !== undefined) checkPolicyDocument(input.Policy);
    const keys = tags.map((t) => t.Key ?? '');
    const duplicate = keys.find(
      (key, i) => keys.findIndex((k) => k.toLowerCase() === key.toLowerCase()) !== i,
    );
    if (duplicate !== undefined) {
      throw validationError(`Duplicate tag keys found. Please note that Tag keys are case insensitive.`);
    }
    const notTagged = transitive.find((key) => !keys.includes(key));
    if (notTagged !== undefined) {
      throw validationError(
        `The specified transitive tag key ${notTagged} must be included in the requested tags.`,
      );
    }
    // AWS: transitive tags of the session that assumes this role pass on to the new session
    const inherited = (parent?.tags ?? []).filter((t) => t.transitive && !keys.includes(t.key));
    const sessionTags: SessionTag[] = [
      ...inherited,
      ...tags.map((t) => ({
        key: t.Key ?? '',
        value: t.Value ?? '',
        transitive: transitive.includes(t.Key ?? ''),
      })),
    ];
    const roleId = roleIdOf(roleArn);
    const identity: CallerIdentity = {
      account,
      userId: `${roleId}:${sessionName}`,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    };
    const issued = this.issue({
      expiration: this.clock.now() + duration * 1000,
      identity,
      source: 'AssumeRole',
      roleArn,
      roleSessionName: sessionName,
      externalId: input.ExternalId,
      sourceIdentity: input.SourceIdentity ?? parent?.sourceIdentity,
      policy: input.Policy,
      policyArns,
      tags: sessionTags,
      mfaSerialNumber: input.SerialNumber,
      minimumTokenSize,
    });
    const packed = input.Policy !== undefined || policyArns.length > 0 || sessionTags.length > 0;
    return {
      Credentials: credentialsOf(issued),
      AssumedRoleUser: { AssumedRoleId: identity.userId, Arn: identity.arn },
      ...(packed ? { PackedPolicySize: packedPolicySize(policySize, sessionTags) } : {}),
      ...(issued.sourceIdentity !== undefined ? { SourceIdentity: issued.sourceIdentity } : {}),
    };
  }

  getSessionToken(input: GetSessionTokenRequest, caller: RequestCaller = {}): GetSessionTokenResponse {
    const problems = new ValidationProblems();
    const requested = input.DurationSeconds ?? USER_SESSION.default;
    problems.range('durationSeconds', requested, USER_SESSION.min, USER_SESSION.max);
    this.checkMfa(problems, input.SerialNumber, input.TokenCode);
    const minimumTokenSize = this.checkMinimumTokenSize(problems, input.MinimumSessionTokenSize);
    problems.throwIfAny();
    // AWS: temporary credentials cannot get a session token
    if (this.issuedTo(caller) !== undefined) {
      throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    }
    const identity = this.identityOf(caller);
    const root = identity.arn.endsWith(':root');
    // AWS: the root user's sessions last at most 1 hour; a longer request is shortened, not refused
    const duration = root ? Math.min(requested, USER_SESSION.root) : requested;
    const issued = this.issue({
      expiration: this.clock.now() + duration * 1000,
      identity,
      source: 'GetSessionToken',
      policyArns: [],
      tags: [],
      mfaSerialNumber: input.SerialNumber,
      minimumTokenSize,
    });
    return { Credentials: credentialsOf(issued) };
  }

  getAccessKeyInfo(input: GetAccessKeyInfoRequest): GetAccessKeyInfoResponse {
    const accessKeyId = input.AccessKeyId;
    if (accessKeyId === undefined) throw missing('AccessKeyId');
    const problems = new ValidationProblems();
    problems
      .length('accessKeyId', accessKeyId, 16, 128)
      .characters('accessKeyId', accessKeyId, isWordCharacter, '[\\w]*');
    problems.throwIfAny();
    // every key the emulator does not know belongs to the local account, as any credentials act as its root
    return { Account: this.credentials.get(accessKeyId)?.identity.account ?? this.accountId };
  }

  // ----- for other services ----------------------------------------------------------------------------------

  /** The credentials issued under this access key id, expired or not; undefined for keys STS did not issue. */
  issued(accessKeyId: string): IssuedCredentials | undefined {
    return this.credentials.get(accessKeyId);
  }

  /** Who a request's signer acts as: the issued session's identity, else the account's root user. */
  identityOf(caller: RequestCaller): CallerIdentity {
    return (
      this.issuedTo(caller)?.identity ??
      this.roleSessionOf(caller) ?? {
        account: this.accountId,
        userId: this.accountId,
        arn: `arn:aws:iam::${this.accountId}:root`,
      }
    );
  }

  // ----- internals -------------------------------------------------------------------------------------------

  private issuedTo(caller: RequestCaller): IssuedCredentials | undefined {
    return caller.accessKeyId === undefined ? undefined : this.credentials.get(caller.accessKeyId);
  }

  /** AWS: a role session is `assumed-role/ROLE/SESSION`, its UserId the role's unique id and the session name. */
  private roleSessionOf(caller: RequestCaller): CallerIdentity | undefined {
    const session = caller.accessKeyId === undefined ? undefined : this.roleSessions?.(caller.accessKeyId);
    if (session === undefined) return undefined;
    const sessionName = session.sessionArn.slice(session.sessionArn.lastIndexOf('/') + 1);
    return {
      account: session.sessionArn.split(':')[4] ?? this.accountId,
      userId: `${roleIdOf(session.roleArn)}:${sessionName}`,
      arn: session.sessionArn,
    };
  }

  private checkMfa(problems: ValidationProblems, serialNumber?: string, tokenCode?: string): void {
    if (serialNumber !== undefined) {
      problems
        .length('serialNumber', serialNumber, 9, 256)
        .characters('serialNumber', serialNumber, isExternalIdCharacter, '[\\w+=/:,.@-]*');
    }
    if (tokenCode !== undefined) {
      problems.length('tokenCode', tokenCode, 6, 6).characters('tokenCode', tokenCode, isDigit, '[\\d]*');
    }
  }

  private checkMinimumTokenSize(problems: ValidationProblems, size: number | undefined): number {
    if (size === undefined) return 0;
    problems.range('minimumSessionTokenSize', size, 0, MAX_MINIMUM_TOKEN_SIZE);
    return Math.max(0, Math.min(size, MAX_MINIMUM_TOKEN_SIZE));
  }

  private issue(
    details: Omit<IssuedCredentials, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'> & {
      readonly minimumTokenSize: number;
    },
  ): IssuedCredentials {
    const { minimumTokenSize, ...rest } = details;
    let accessKeyId = `ASIA${keyText(16)}`;
    while (this.credentials.has(accessKeyId)) accessKeyId = `ASIA${keyText(16)}`;
    let sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(300).toString('base64')}`;
    // AWS: STS pads the token to at least MinimumSessionTokenSize bytes
    if (sessionToken.length < minimumTokenSize) {
      sessionToken += randomBytes(minimumTokenSize)
        .toString('base64')
        .slice(0, minimumTokenSize - sessionToken.length);
    }
    const issued: IssuedCredentials = {
      ...rest,
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken,
    };
    this.forgetOld();
    this.credentials.set(accessKeyId, issued);
    return issued;
  }

  /** Keeps the store bounded: expired credentials go when it is full, then the oldest. */
  private forgetOld(): void {
    if (this.credentials.size < MAX_ISSUED) return;
    const now = this.clock.now();
    for (const [key, issued] of this.credentials) if (issued.expiration <= now) this.credentials.delete(key);
    for (const key of this.credentials.keys()) {
      if (this.credentials.size < MAX_ISSUED) break;
      this.credentials.delete(key);
    }
  }
}

/** AWS's front end words a missing required member so, with the member in lower camel case. */
function missing(member: string): AwsError {
  const name = `${member[0].toLowerCase()}${member.slice(1)}`;
  return validationError(
    `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
  );
}

function isWordCharacter(c: string): boolean {
  return isNameCharacter(c) && !'+=,.@-'.includes(c);
}

function checkTag(problems: ValidationProblems, member: string, key: string, value: string): void {
  problems
    .length(`${member}.key`, key, 1, 128)
    .characters(`${member}.key`, key, isTagCharacter, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
  problems
    .length(`${member}.value`, value, 0, 256)
    .characters(`${member}.value`, value, isTagCharacter, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
}

/** AWS: an inline session policy must be a JSON policy document. */
function checkPolicyDocument(policy: string): void {
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    document = undefined;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new AwsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
  }
}

/** How much of the packed-policy allowance the session policies and tags use, in percent, as AWS reports it. */
function packedPolicySize(policyCharacters: number, tags: readonly SessionTag[]): number {
  const tagCharacters = tags.reduce((n, t) => n + t.key.length + t.value.length, 0);
  return Math.max(1, Math.ceil(((policyCharacters + tagCharacters) * 100) / (MAX_POLICY_CHARACTERS * 2)));
}

/** A role's unique id, `AROA` and 17 characters, the same for the same ARN (IAM keeps one per role). */
export function roleIdOf(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  let id = 'AROA';
  for (let i = 0; i < 17; i += 1) id += KEY_ALPHABET[digest[i] % KEY_ALPHABET.length];
  return id;
}

function keyText(length: number): string {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += KEY_ALPHABET[byte % KEY_ALPHABET.length];
  return text;
}

function credentialsOf(issued: IssuedCredentials): NonNullable<AssumeRoleResponse['Credentials']> {
  return {
    AccessKeyId: issued.accessKeyId,
    SecretAccessKey: issued.secretAccessKey,
    SessionToken: issued.sessionToken,
    Expiration: new Date(issued.expiration),
  };
}
