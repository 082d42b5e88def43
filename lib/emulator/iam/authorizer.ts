/**
 * Permissions locally (`--iam enforce|audit|off`): who is calling (a role session by the key the emulator
 * issued it, verified by its SigV4 signature; anyone else is the account's administrator), what the call needs
 * (actions.ts), and AWS's evaluation of the deployed policies (policy.ts). Every denial, and in audit mode every
 * call AWS would deny, is an activity event naming the principal, the action, the resource and the reason.
 */
import type { ActivityLog } from '../activity';
import type { Emulator } from '../emulator';
import { AwsError } from '../errors';
import type { WireRequest } from '../protocol/router';
import { S3Error } from '../s3/errors';
import { type CallToAuthorize, type Place, type RequiredPermission, requiredPermissions } from './actions';
import { CredentialIssuer, type IssuedCredentials } from './credentials';
import {
  type AuthorizationRequest,
  type Decision,
  evaluate,
  evaluateKeyAccess,
  type Principal,
} from './policy';
import { PolicySource } from './policy-source';
import { signatureMatches, signatureOf } from './sigv4';

export type IamMode = 'enforce' | 'audit' | 'off';
export const IAM_MODES: readonly IamMode[] = ['enforce', 'audit', 'off'];

/** A call of a role session, checked before the operation runs: throws the service's AccessDenied error. */
export type AuthorizeCall = (call: CallToAuthorize) => void;

/** What an integration asks: a service principal acting for a source (S3 for a bucket, SNS for a topic). */
export interface IntegrationCall {
  /** `s3.amazonaws.com`, `sns.amazonaws.com`, `events.amazonaws.com`. */
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  /** aws:SourceArn: the bucket, topic or alarm the service acts for. */
  readonly sourceArn: string;
}

export interface AuthorizerOptions {
  readonly mode: IamMode;
  readonly region: string;
  readonly accountId: string;
  readonly activity: ActivityLog;
  readonly emulator: () => Emulator;
}

export class Authorizer {
  readonly mode: IamMode;
  private readonly issuer = new CredentialIssuer();
  readonly policies: PolicySource;
  private readonly place: Place;

  constructor(private readonly options: AuthorizerOptions) {
    this.mode = options.mode;
    this.policies = new PolicySource(options.emulator);
    this.place = { region: options.region, accountId: options.accountId };
  }

  /** Credentials for code running as `roleArn` (a function, an instance); undefined when permissions are off. */
  credentialsFor(roleArn: string, sessionName: string): IssuedCredentials | undefined {
    if (this.mode === 'off') return undefined;
    return this.issuer.issue(roleArn, sessionName);
  }

  /** The role session the emulator issued an access key to (STS's GetCallerIdentity); none when off. */
  sessionOf(accessKeyId: string): IssuedCredentials | undefined {
    return this.mode === 'off' ? undefined : this.issuer.lookup(accessKeyId);
  }

  /**
   * The request as the services get it: a request signed with an issued key carries `authorize`, which the
   * protocol calls with the decoded operation before running it. Other requests are the administrator's.
   */
  admit(request: WireRequest): WireRequest {
    if (this.mode === 'off') return request;
    const signed = signatureOf(request);
    if (signed === undefined) return request;
    const issued = this.issuer.lookup(signed.accessKeyId);
    if (issued === undefined) return request;
    const principal: Principal = {
      kind: 'role',
      roleArn: issued.roleArn,
      sessionArn: issued.sessionArn,
      accountId: this.place.accountId,
    };
    const authentic =
      signatureMatches(request, signed, issued.secretAccessKey) &&
      signed.securityToken === issued.sessionToken;
    const authorize: AuthorizeCall = (call) => {
      if (!authentic) {
        this.report(
          principal,
          `${call.service}:${call.operation}`,
          '-',
          'the request signature does not match the secret of the key the emulator issued',
        );
        if (this.mode === 'enforce') throw signatureError(call.service);
        return;
      }
      this.authorizeRole(principal, call);
    };
    return { ...request, authorize };
  }

  /**
   * An integration's call as its service principal: the resource policy must allow it (and, for an encrypted
   * queue or topic, the key policy must let the service use the key). Audit mode reports and allows.
   */
  authorizeIntegration(call: IntegrationCall): Decision {
    if (this.mode === 'off') return { allowed: true, reason: 'permissions are off' };
    const principal: Principal = { kind: 'service', service: call.service, accountId: this.place.accountId };
    const context = this.context(principal, call.sourceArn);
    const request = { principal, action: call.action, resource: call.resource, context };
    const resourcePolicy = this.policies.resourcePolicy(call.resource);
    let decision = evaluate(request, [], resourcePolicy ? [resourcePolicy] : []);
    if (decision.allowed) {
      for (const needed of this.keyPermissions(call.action, call.resource, true)) {
        const key = this.policies.key(needed.resource);
        if (key === undefined) continue;
        const kms = evaluateKeyAccess(
          { ...request, action: needed.action, resource: key.arn },
          [],
          key.policy,
        );
        if (!kms.allowed) {
          decision = { allowed: false, reason: `${needed.action} on ${key.arn}: ${kms.reason}` };
          break;
        }
      }
    }
    if (decision.allowed) return decision;
    this.report(principal, call.action, call.resource, decision.reason);
    return this.mode === 'audit' ? { allowed: true, reason: `audit: ${decision.reason}` } : decision;
  }

  /**
   * What AWS does as a function's execution role on its behalf (an event source mapping's reads, a destination's
   * send): why the role may not, or undefined. Audit mode reports and allows.
   */
  authorizeRoleAction(roleArn: string, action: string, resource: string): string | undefined {
    if (this.mode === 'off') return undefined;
    const principal: Principal = {
      kind: 'role',
      roleArn,
      sessionArn: roleArn,
      accountId: this.place.accountId,
    };
    const identity = this.policies.identityPolicies(roleArn);
    const resourcePolicy = this.policies.resourcePolicy(resource);
    const request = { principal, action, resource, context: this.context(principal) };
    let decision =
      identity === undefined
        ? { allowed: false, reason: `the role ${roleArn} is not in any deployed stack` }
        : evaluate(request, identity, resourcePolicy ? [resourcePolicy] : []);
    if (decision.allowed) {
      for (const needed of this.keyPermissions(action, resource, false)) {
        const key = this.policies.key(needed.resource);
        if (key === undefined) continue;
        const kms = evaluateKeyAccess(
          { ...request, action: needed.action, resource: key.arn },
          identity ?? [],
          key.policy,
        );
        if (!kms.allowed) {
          decision = { allowed: false, reason: `${needed.action} on ${key.arn}: ${kms.reason}` };
          break;
        }
      }
    }
    if (decision.allowed) return undefined;
    this.report(principal, action, resource, decision.reason);
    return this.mode === 'audit' ? undefined : decision.reason;
  }

  // ----- role sessions ---------------------------------------------------------------------------------------

  private authorizeRole(principal: Extract<Principal, { kind: 'role' }>, call: CallToAuthorize): void {
    const needs = requiredPermissions(call, this.place);
    if (needs.length === 0) return;
    const identity = this.policies.identityPolicies(principal.roleArn);
    const context = this.context(principal);
    const requestTags = requestTagsOf(call);
    for (const need of needs) {
      const request: AuthorizationRequest = {
        principal,
        action: need.action,
        resource: need.resource,
        context: this.withTags(context, need.resource, requestTags),
      };
      const resourcePolicy = need.resource === '*' ? undefined : this.policies.resourcePolicy(need.resource);
      const decision =
        identity === undefined
          ? { allowed: false, reason: `the role ${principal.roleArn} is not in any deployed stack` }
          : evaluate(request, identity, resourcePolicy ? [resourcePolicy] : []);
      if (!decision.allowed) this.deny(principal, need, decision, call.service, false);
    }
    // AWS: sending to or reading from an encrypted queue or topic uses its KMS key as the caller
    for (const needed of this.callKeyPermissions(needs)) {
      const key = this.policies.key(needed.resource);
      if (key === undefined) continue;
      const request: AuthorizationRequest = { principal, action: needed.action, resource: key.arn, context };
      const decision = evaluateKeyAccess(request, identity ?? [], key.policy);
      if (!decision.allowed)
        this.deny(principal, { action: needed.action, resource: key.arn }, decision, call.service, true);
    }
  }

  private deny(
    principal: Principal,
    need: RequiredPermission,
    decision: Decision,
    service: string,
    kms: boolean,
  ): void {
    this.report(principal, need.action, need.resource, decision.reason);
    if (this.mode !== 'enforce') return;
    const who = principal.kind === 'role' ? principal.sessionArn : principal.service;
    const why = decision.reason.startsWith('explicitly')
      ? 'with an explicit deny'
      : `because no identity-based policy allows the ${need.action} action`;
    const message = `User: ${who} is not authorized to perform: ${need.action} on resource: ${need.resource} ${why} (local emulator: ${decision.reason})`;
    throw accessDenied(service, message, kms);
  }

  /** The KMS permissions the call's queue or topic asks for, by the key it names. */
  private callKeyPermissions(needs: readonly RequiredPermission[]): RequiredPermission[] {
    const target = needs[0]?.resource;
    if (target === undefined) return [];
    return this.keyPermissions(needs[0].action, target, false);
  }

  /** `kms:GenerateDataKey` to write to and `kms:Decrypt` to read from an encrypted queue or topic. */
  private keyPermissions(action: string, resource: string, service: boolean): RequiredPermission[] {
    const emulator = this.options.emulator();
    const lower = action.toLowerCase();
    let keyId: string | undefined;
    let actions: string[] = [];
    if (lower === 'sqs:sendmessage' || lower === 'sqs:receivemessage') {
      keyId = emulator.sqs.queueByArn(resource)?.settings.extra.get('KmsMasterKeyId');
      // AWS: SNS and S3 need both to deliver to an encrypted queue; a role sending only GenerateDataKey
      actions =
        lower === 'sqs:receivemessage'
          ? ['kms:Decrypt']
          : service
            ? ['kms:GenerateDataKey', 'kms:Decrypt']
            : ['kms:GenerateDataKey'];
    } else if (lower === 'sns:publish') {
      keyId = emulator.sns.topicState(resource)?.topic.attributes.get('KmsMasterKeyId');
      actions = ['kms:GenerateDataKey', 'kms:Decrypt'];
    }
    // AWS managed keys (alias/aws/sqs) allow every principal of the account through the service
    if (keyId === undefined || keyId === '' || keyId.startsWith('alias/aws/')) return [];
    return actions.map((a) => ({ action: a, resource: keyId as string }));
  }

  private context(principal: Principal, sourceArn?: string): ReadonlyMap<string, readonly string[]> {
    const context = new Map<string, readonly string[]>([
      // the emulator stands in for AWS's TLS endpoints
      ['aws:securetransport', ['true']],
      ['aws:principalaccount', [principal.accountId]],
    ]);
    if (principal.kind === 'role') {
      context.set('aws:principalarn', [principal.roleArn]);
      context.set('aws:principaltype', ['AssumedRole']);
    } else {
      context.set('aws:principalservicename', [principal.service]);
    }
    if (sourceArn !== undefined) {
      context.set('aws:sourcearn', [sourceArn]);
      context.set('aws:sourceaccount', [this.place.accountId]);
    }
    return context;
  }

  /**
   * AWS's tag condition keys (ABAC): aws:ResourceTag/K from the queue's or topic's tags, aws:RequestTag/K and
   * aws:TagKeys from the tags the call sets (CreateQueue, TagQueue, CreateTopic, TagResource).
   */
  private withTags(
    base: ReadonlyMap<string, readonly string[]>,
    resource: string,
    requestTags: ReadonlyMap<string, string> | undefined,
  ): ReadonlyMap<string, readonly string[]> {
    const resourceTags = this.resourceTags(resource);
    if (resourceTags === undefined && requestTags === undefined) return base;
    const context = new Map(base);
    for (const [key, value] of resourceTags ?? [])
      context.set(`aws:resourcetag/${key.toLowerCase()}`, [value]);
    if (requestTags !== undefined) {
      for (const [key, value] of requestTags) context.set(`aws:requesttag/${key.toLowerCase()}`, [value]);
      context.set('aws:tagkeys', [...requestTags.keys()]);
    }
    return context;
  }

  private resourceTags(resource: string): ReadonlyMap<string, string> | undefined {
    const emulator = this.options.emulator();
    if (resource.startsWith('arn:aws:sqs:')) return emulator.sqs.queueByArn(resource)?.tags;
    if (resource.startsWith('arn:aws:sns:')) return emulator.sns.topicState(resource)?.topic.tags;
    return undefined;
  }

  private report(principal: Principal, action: string, resource: string, reason: string): void {
    const activity = this.options.activity;
    if (!activity.active) return;
    activity.emit({
      kind: 'access-denied',
      principal: principal.kind === 'role' ? principal.sessionArn : principal.service,
      action,
      resource,
      reason,
      enforced: this.mode === 'enforce',
    });
  }
}

/** The tags a call sets (SQS: a map, `tags` on CreateQueue and `Tags` on TagQueue; SNS: a `Tags` list). */
function requestTagsOf(call: CallToAuthorize): ReadonlyMap<string, string> | undefined {
  const { service, operation, input } = call;
  if (service === 'sqs' && (operation === 'CreateQueue' || operation === 'TagQueue')) {
    const tags = operation === 'CreateQueue' ? input.tags : input.Tags;
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return undefined;
    return new Map(Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  if (service === 'sns' && (operation === 'CreateTopic' || operation === 'TagResource')) {
    if (!Array.isArray(input.Tags)) return undefined;
    const tags = input.Tags as { Key?: unknown; Value?: unknown }[];
    return new Map(tags.map((t) => [String(t?.Key ?? ''), String(t?.Value ?? '')]));
  }
  return undefined;
}

/** JSON services answer InvalidSignatureException; the query and REST XML ones SignatureDoesNotMatch. */
const JSON_SIGNATURE_SERVICES: ReadonlySet<string> = new Set([
  'lambda',
  'logs',
  'ssm',
  'kinesis',
  'firehose',
]);

const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function signatureError(service: string): AwsError {
  if (service === 's3') return new S3Error('SignatureDoesNotMatch', SIGNATURE_MESSAGE, 403);
  if (JSON_SIGNATURE_SERVICES.has(service))
    return new AwsError('InvalidSignatureException', SIGNATURE_MESSAGE, 403);
  return new AwsError('SignatureDoesNotMatch', SIGNATURE_MESSAGE, 403);
}

/** Each service's access-denied error, as AWS words and codes it. */
function accessDenied(service: string, message: string, kms: boolean): AwsError {
  switch (service) {
    case 'sqs':
      return kms
        ? new AwsError('KMS.AccessDeniedException', message, 400)
        : new AwsError('AccessDenied', message, 403);
    case 'sns':
      return kms
        ? new AwsError('KMSAccessDenied', message, 400)
        : new AwsError('AuthorizationError', message, 403);
    case 's3':
      return new S3Error('AccessDenied', message, 403);
    case 'lambda':
      return new AwsError('AccessDeniedException', message, 403);
    case 'monitoring':
    case 'autoscaling':
    case 'cloudformation':
    case 'sts':
      return new AwsError('AccessDenied', message, 403);
    default:
      return new AwsError('AccessDeniedException', message, 400);
  }
}
