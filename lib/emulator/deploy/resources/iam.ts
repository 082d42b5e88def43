/**
 * IAM roles, policies, instance profiles and KMS keys: recorded with names and ARNs in AWS's formats, and handed
 * to the permission checks (`--iam`, lib/emulator/iam) as they are created, so a function created later in the
 * same deployment already runs under its role's policies. Keys do not encrypt locally; their policies count.
 */
import type { IamMode } from '../../iam/authorizer';
import { roleIdOf } from '../../sts/service';
import {
  type DeployContext,
  type ExistingResource,
  type ProvisionedResource,
  type ResourceHandler,
  type ResourceRequest,
  stableUuid,
} from './types';

type Describe = (request: ResourceRequest, context: DeployContext) => ProvisionedResource;

/** A kept resource whose properties the permission checks read from the moment it exists. */
function evaluated(note: (mode: IamMode) => string, describe: Describe): ResourceHandler {
  const create = (request: ResourceRequest, context: DeployContext): ProvisionedResource => {
    const provisioned = describe(request, context);
    context.emulator.iam.policies.register({
      stackName: request.stackName,
      logicalId: request.logicalId,
      type: request.type,
      ref: provisioned.ref,
      properties: request.properties,
      attributes: provisioned.attributes ?? {},
    });
    return { status: 'kept', note: note(context.emulator.iam.mode), ...provisioned };
  };
  return {
    create,
    update: (request, _previous, context) => create(request, context),
    delete: (resource: ExistingResource, context) =>
      context.emulator.iam.policies.unregister(resource.stackName, resource.logicalId),
  };
}

const IAM_NOTE = (mode: IamMode) =>
  mode === 'off' ? 'stored; not enforced (--iam off)' : `its policies are evaluated (--iam ${mode})`;
const KMS_NOTE = (mode: IamMode) =>
  mode === 'off'
    ? 'messages and objects are not encrypted locally'
    : `not encrypted locally; its key policy is evaluated (--iam ${mode})`;

export const IAM_HANDLERS: Readonly<Record<string, ResourceHandler>> = {
  'AWS::IAM::Role': evaluated(IAM_NOTE, (request, context) => {
    const name =
      (request.properties.RoleName as string | undefined) ?? context.physicalName({ maxLength: 64 });
    const rolePath = (request.properties.Path as string | undefined) ?? '/';
    const arn = `arn:aws:iam::${context.emulator.accountId}:role${rolePath}${name}`;
    // the id STS's GetCallerIdentity names in the UserId of the role's sessions
    return { ref: name, attributes: { Arn: arn, RoleId: roleIdOf(arn) } };
  }),
  'AWS::IAM::Policy': evaluated(IAM_NOTE, (request, context) => ({
    ref: context.physicalName({ maxLength: 128 }),
    display: String(request.properties.PolicyName ?? request.logicalId),
  })),
  'AWS::IAM::ManagedPolicy': evaluated(IAM_NOTE, (request, context) => {
    const name =
      (request.properties.ManagedPolicyName as string | undefined) ??
      context.physicalName({ maxLength: 128 });
    const arn = `arn:aws:iam::${context.emulator.accountId}:policy/${name}`;
    return { ref: arn, attributes: { PolicyArn: arn } };
  }),
  'AWS::IAM::InstanceProfile': evaluated(IAM_NOTE, (request, context) => {
    const name =
      (request.properties.InstanceProfileName as string | undefined) ??
      context.physicalName({ maxLength: 128 });
    return {
      ref: name,
      attributes: { Arn: `arn:aws:iam::${context.emulator.accountId}:instance-profile/${name}` },
    };
  }),
  'AWS::KMS::Key': evaluated(KMS_NOTE, (request, context) => {
    const id = stableUuid(request);
    const arn = `arn:aws:kms:${context.emulator.region}:${context.emulator.accountId}:key/${id}`;
    return { ref: id, display: arn, attributes: { Arn: arn, KeyId: id } };
  }),
  'AWS::KMS::Alias': evaluated(KMS_NOTE, (request) => ({
    ref: String(request.properties.AliasName),
  })),
};
