/**
 * AWS::Logs::LogGroup: a CloudWatch Logs group, where the functions whose LoggingConfig names it write their output.
 * Retention, tags and the KMS key change in place (the events stay); a new LogGroupName or LogGroupClass replaces it.
 */
import type { LogsService } from '../../logs/service';
import {
  type DeployContext,
  optionalString,
  type ResourceHandler,
  type ResourceRequest,
  ResourcePropertyError,
  tagMap,
} from './types';

/** Properties whose behaviour is not emulated: refused by name rather than dropped. */
const REFUSED = ['DataProtectionPolicy', 'FieldIndexPolicies'] as const;
/** Settings refused only when turned on. */
const REFUSED_WHEN_TRUE = ['DeletionProtectionEnabled', 'BearerTokenAuthenticationEnabled'] as const;

/** Ref: the group's name; Fn::GetAtt: Arn (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`). */
export const logGroupHandler: ResourceHandler = {
  // AWS: "Update requires: Replacement" for the name and the class; the rest changes in place
  replacedBy: ['LogGroupName', 'LogGroupClass'],
  nameProperty: 'LogGroupName',
  create(request, context) {
    check(request);
    const name = optionalString(request, 'LogGroupName') ?? context.physicalName({ maxLength: 512 });
    const logs = logsOf(context);
    const kmsKeyId = optionalString(request, 'KmsKeyId');
    const logGroupClass = optionalString(request, 'LogGroupClass');
    logs.createLogGroup({
      logGroupName: name,
      tags: tagMap(request.properties.Tags),
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      ...(logGroupClass !== undefined ? { logGroupClass: logGroupClass as never } : {}),
    });
    try {
      const retention = retentionOf(request);
      if (retention !== undefined)
        logs.putRetentionPolicy({ logGroupName: name, retentionInDays: retention });
    } catch (error) {
      // a group whose retention is refused is not left behind
      logs.deleteLogGroup({ logGroupName: name });
      throw error;
    }
    return provisioned(name, context, request);
  },
  update(request, previous, context) {
    check(request);
    const logs = logsOf(context);
    const name = previous.ref;
    const retention = retentionOf(request);
    // AWS: a RetentionInDays taken out of the template means the events never expire again
    if (retention !== undefined) logs.putRetentionPolicy({ logGroupName: name, retentionInDays: retention });
    else logs.deleteRetentionPolicy({ logGroupName: name });
    const kmsKeyId = optionalString(request, 'KmsKeyId');
    if (kmsKeyId !== undefined) logs.associateKmsKey({ logGroupName: name, kmsKeyId });
    else logs.disassociateKmsKey({ logGroupName: name });
    const before = tagMap(previous.properties.Tags) ?? {};
    const after = tagMap(request.properties.Tags) ?? {};
    const gone = Object.keys(before).filter((key) => !(key in after));
    if (gone.length > 0) logs.untagResource({ resourceArn: logs.arnOf(name), tagKeys: gone });
    if (Object.keys(after).length > 0) logs.tagResource({ resourceArn: logs.arnOf(name), tags: after });
    return provisioned(name, context, request);
  },
  delete(resource, context) {
    const logs = logsOf(context);
    // AWS: deleting a group that is already gone succeeds
    if (logs.logGroup(resource.ref)) logs.deleteLogGroup({ logGroupName: resource.ref });
  },
};

function logsOf(context: DeployContext): LogsService {
  return context.emulator.logs;
}

function check(request: ResourceRequest): void {
  for (const property of REFUSED) {
    if (request.properties[property] !== undefined) {
      throw new ResourcePropertyError(request, `${property} is not supported by the local emulator`);
    }
  }
  for (const property of REFUSED_WHEN_TRUE) {
    const value = request.properties[property];
    if (value === true || value === 'true') {
      throw new ResourcePropertyError(request, `${property} is not supported by the local emulator`);
    }
  }
}

/** RetentionInDays arrives as a number or its text. */
function retentionOf(request: ResourceRequest): number | undefined {
  const text = optionalString(request, 'RetentionInDays');
  if (text === undefined) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days)) {
    throw new ResourcePropertyError(request, `RetentionInDays must be a whole number of days, got ${text}`);
  }
  return days;
}

function provisioned(name: string, context: DeployContext, request: ResourceRequest) {
  const note =
    request.properties.ResourcePolicyDocument !== undefined
      ? 'resource policy stored; not enforced locally'
      : undefined;
  return {
    ref: name,
    display: name,
    attributes: { Arn: `${logsOf(context).arnOf(name)}:*` },
    ...(note !== undefined ? { note } : {}),
  };
}
