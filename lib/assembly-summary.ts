import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

interface TemplateResource {
  readonly Type: string;
}
interface TemplateOutput {
  readonly Value: unknown;
  readonly Description?: string;
}
interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, TemplateOutput>;
}

/** One stack of a synthesized app: its resources and outputs as the template has them. */
export interface StackSummary {
  readonly stackName: string;
  readonly id: string;
  readonly templateFile: string;
  readonly resources: ReadonlyArray<{ logicalId: string; type: string }>;
  readonly outputs: ReadonlyArray<{ name: string; value: string; description?: string }>;
}

/** Reads every stack of a cloud assembly into a {@link StackSummary}. */
export function summarizeAssembly(assembly: CloudAssembly): StackSummary[] {
  return assembly.stacks.map((stack) => {
    const template = stack.template as Template;
    return {
      stackName: stack.stackName,
      id: stack.id,
      templateFile: stack.templateFile,
      resources: Object.entries(template.Resources ?? {})
        .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
        .map(([logicalId, r]) => ({ logicalId, type: r.Type })),
      outputs: Object.entries(template.Outputs ?? {}).map(([name, o]) => ({
        name,
        value: describeExpression(o.Value),
        description: o.Description,
      })),
    };
  });
}

/** Renders a CloudFormation value compactly: `{"Ref":"Queue"}` → `Ref Queue`. */
export function describeExpression(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(describeExpression).join(', ')}]`;
  if (value && typeof value === 'object') {
    const [[fn, arg]] = Object.entries(value);
    if (fn === 'Ref') return `Ref ${arg}`;
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) return `GetAtt ${arg.join('.')}`;
    return `${fn.replace(/^Fn::/, '')}(${describeExpression(arg)})`;
  }
  return String(value);
}

/** The text `npm start` prints: a table of resources and the outputs of each stack. */
export function formatSummary(stacks: readonly StackSummary[]): string {
  const lines: string[] = [];
  for (const stack of stacks) {
    lines.push('', `Stack ${stack.stackName} (${stack.id}): ${stack.resources.length} resources`);
    const typeWidth = Math.max(...stack.resources.map((r) => r.type.length), 4);
    lines.push(`  ${'TYPE'.padEnd(typeWidth)}  LOGICAL ID`);
    for (const r of stack.resources) lines.push(`  ${r.type.padEnd(typeWidth)}  ${r.logicalId}`);
    if (stack.outputs.length > 0) {
      lines.push('  Outputs (values are resolved at deploy time):');
      const nameWidth = Math.max(...stack.outputs.map((o) => o.name.length));
      for (const o of stack.outputs) {
        lines.push(
          `    ${o.name.padEnd(nameWidth)}  ${o.value}${o.description ? `  — ${o.description}` : ''}`,
        );
      }
    }
  }
  return lines.join('\n');
}
