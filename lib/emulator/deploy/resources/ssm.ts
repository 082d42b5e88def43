/**
 * AWS::SSM::Parameter: a Parameter Store parameter (the CDK bootstrap template's `/cdk-bootstrap/QUALIFIER/version`,
 * an app's StringParameter). Updated in place as a new version; a new Name replaces it.
 */
import { createHash } from 'node:crypto';
import type { PutParameterRequest } from '@aws-sdk/client-ssm';
import type { SsmService } from '../../ssm/service';
import {
  type DeployContext,
  optionalString,
  type ResourceHandler,
  type ResourceRequest,
  ResourcePropertyError,
  requiredString,
} from './types';

/** AWS: CloudFormation creates String and StringList parameters only (SecureString is refused). */
const TYPES = ['String', 'StringList'];

/** Ref: the parameter name; Fn::GetAtt: Type, Value. */
export const parameterHandler: ResourceHandler = {
  replacedBy: ['Name'],
  nameProperty: 'Name',
  create(request, context) {
    const name = optionalString(request, 'Name') ?? generatedName(request);
    const input = putInput(request, name);
    const tags = tagsOf(request);
    context.emulator.ssm.putParameter({
      ...input,
      ...(tags.length > 0 ? { Tags: tags } : {}),
    });
    return provisioned(name, input);
  },
  update(request, previous, context) {
    const ssm = context.emulator.ssm;
    const input = putInput(request, previous.ref);
    // a new value is a new version of the same parameter; tags change beside it (PutParameter takes no tags then)
    ssm.putParameter({ ...input, Overwrite: true });
    retag(ssm, previous.ref, tagsOf(previous), tagsOf(request));
    return provisioned(previous.ref, input);
  },
  delete(resource, context: DeployContext) {
    // AWS: deleting a parameter that is already gone succeeds
    ssm(context).deleteParameters({ Names: [resource.ref] });
  },
};

function ssm(context: DeployContext): SsmService {
  return context.emulator.ssm;
}

function putInput(request: ResourceRequest, name: string): PutParameterRequest {
  const type = requiredString(request, 'Type');
  if (!TYPES.includes(type)) {
    throw new ResourcePropertyError(request, `Type must be one of ${TYPES.join(', ')}, got ${type}`);
  }
  const description = optionalString(request, 'Description');
  const allowedPattern = optionalString(request, 'AllowedPattern');
  const tier = optionalString(request, 'Tier');
  const policies = optionalString(request, 'Policies');
  const dataType = optionalString(request, 'DataType');
  return {
    Name: name,
    Type: type as PutParameterRequest['Type'],
    Value: requiredString(request, 'Value'),
    ...(description !== undefined ? { Description: description } : {}),
    // passed on so that Parameter Store refuses them by name rather than the template's value being dropped
    ...(allowedPattern !== undefined ? { AllowedPattern: allowedPattern } : {}),
    ...(policies !== undefined ? { Policies: policies } : {}),
    ...(tier !== undefined ? { Tier: tier as PutParameterRequest['Tier'] } : {}),
    ...(dataType !== undefined ? { DataType: dataType } : {}),
  };
}

function provisioned(name: string, input: PutParameterRequest) {
  return { ref: name, display: name, attributes: { Type: input.Type, Value: input.Value } };
}

/** AWS::SSM::Parameter's Tags are a JSON object of key to value (not the usual list of Key/Value). */
function tagsOf(request: ResourceRequest): { Key: string; Value: string }[] {
  const tags = request.properties.Tags;
  if (tags === undefined) return [];
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw new ResourcePropertyError(request, 'Tags must be an object of tag keys to values');
  }
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) }));
}

function retag(
  service: SsmService,
  name: string,
  before: readonly { Key: string; Value: string }[],
  after: readonly { Key: string; Value: string }[],
): void {
  const gone = before.filter((t) => !after.some((a) => a.Key === t.Key)).map((t) => t.Key);
  if (gone.length > 0)
    service.removeTagsFromResource({ ResourceType: 'Parameter', ResourceId: name, TagKeys: gone });
  if (after.length > 0)
    service.addTagsToResource({ ResourceType: 'Parameter', ResourceId: name, Tags: [...after] });
}

/** `CFN-LogicalId-SUFFIX`, the shape of the names CloudFormation gives unnamed parameters; stable per stack. */
function generatedName(request: ResourceRequest): string {
  const digest = createHash('sha256').update(`${request.stackName}/${request.logicalId}`).digest('base64url');
  const suffix = digest.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  return `CFN-${request.logicalId.slice(0, 200)}-${suffix}`;
}
