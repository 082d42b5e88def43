/**
 * Resources that are recorded but do nothing locally: IAM (the emulator does not check permissions), KMS
 * (messages are not encrypted at rest in memory), ECR repositories and dashboards. They get
 * names and ARNs in AWS's formats, so templates that refer to them deploy; their resolved properties stay in
 * the deployment for later checks.
 */
import { createHash } from 'node:crypto';
import {
  type DeployContext,
  type ProvisionedResource,
  type ResourceHandler,
  type ResourceRequest,
  stableUuid,
} from './types';

type Describe = (request: ResourceRequest, context: DeployContext) => ProvisionedResource;

/** A record only: an update records the new properties under the same name, a deletion leaves nothing. */
function kept(note: string, describe: Describe): ResourceHandler {
  const create = (request: ResourceRequest, context: DeployContext): ProvisionedResource => ({
    status: 'kept',
    note,
    ...describe(request, context),
  });
  return { create, update: (request, _previous, context) => create(request, context) };
}

const IAM_NOTE = 'permissions are not enforced locally';

export const KEPT_HANDLERS: Readonly<Record<string, ResourceHandler>> = {
  'AWS::IAM::Role': kept(IAM_NOTE, (request, context) => {
    const name =
      (request.properties.RoleName as string | undefined) ?? context.physicalName({ maxLength: 64 });
    const rolePath = (request.properties.Path as string | undefined) ?? '/';
    const id = createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase();
    return {
      ref: name,
      attributes: {
        Arn: `arn:aws:iam::${context.emulator.accountId}:role${rolePath}${name}`,
        RoleId: `AROA${id}`,
      },
    };
  }),
  'AWS::IAM::Policy': kept(IAM_NOTE, (request, context) => ({
    ref: context.physicalName({ maxLength: 128 }),
    display: String(request.properties.PolicyName ?? request.logicalId),
  })),
  'AWS::IAM::ManagedPolicy': kept(IAM_NOTE, (request, context) => {
    const name =
      (request.properties.ManagedPolicyName as string | undefined) ??
      context.physicalName({ maxLength: 128 });
    const arn = `arn:aws:iam::${context.emulator.accountId}:policy/${name}`;
    return { ref: arn, attributes: { PolicyArn: arn } };
  }),
  'AWS::IAM::InstanceProfile': kept(IAM_NOTE, (request, context) => {
    const name =
      (request.properties.InstanceProfileName as string | undefined) ??
      context.physicalName({ maxLength: 128 });
    return {
      ref: name,
      attributes: { Arn: `arn:aws:iam::${context.emulator.accountId}:instance-profile/${name}` },
    };
  }),
  'AWS::KMS::Key': kept('messages and objects are not encrypted locally', (request, context) => {
    const id = stableUuid(request);
    const arn = `arn:aws:kms:${context.emulator.region}:${context.emulator.accountId}:key/${id}`;
    return { ref: id, display: arn, attributes: { Arn: arn, KeyId: id } };
  }),
  'AWS::KMS::Alias': kept('messages and objects are not encrypted locally', (request) => ({
    ref: String(request.properties.AliasName),
  })),
  'AWS::ECR::Repository': kept('container images are not run locally', (request, context) => {
    const { region, accountId } = context.emulator;
    const name =
      (request.properties.RepositoryName as string | undefined) ??
      context.physicalName({ maxLength: 256, lowercase: true });
    return {
      ref: name,
      attributes: {
        Arn: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
        RepositoryUri: `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}`,
      },
    };
  }),
  'AWS::CloudWatch::Dashboard': kept('dashboards are shown in the AWS console only', (request, context) => ({
    ref: (request.properties.DashboardName as string | undefined) ?? context.physicalName({ maxLength: 255 }),
  })),
};
