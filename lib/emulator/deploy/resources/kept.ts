/**
 * Resources that are recorded but do nothing locally: ECR repositories and dashboards. They get
 * names and ARNs in AWS's formats, so templates that refer to them deploy; their resolved properties stay in
 * the deployment for later checks.
 */
import type { DeployContext, ProvisionedResource, ResourceHandler, ResourceRequest } from './types';

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

export const KEPT_HANDLERS: Readonly<Record<string, ResourceHandler>> = {
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
