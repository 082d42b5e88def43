/** The parts of a CloudFormation template that local deployment reads. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly AllowedValues?: readonly unknown[];
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
}

/**
 * A template that cannot be deployed: an unknown intrinsic, a dangling reference, a cycle. The message names
 * the stack and, where there is one, the logical id, as CloudFormation's own validation errors do.
 */
export class TemplateError extends Error {
  constructor(
    readonly stackName: string,
    readonly logicalId: string | undefined,
    /** The words without the stack and resource, as CloudFormation's status reasons give them. */
    readonly detail: string,
  ) {
    super(`Stack ${stackName}${logicalId ? `, ${logicalId}` : ''}: ${detail}`);
    this.name = 'TemplateError';
  }
}
