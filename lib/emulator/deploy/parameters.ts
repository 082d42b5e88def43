/**
 * A stack's parameter values as CloudFormation computes them: the value given, else the template's Default; list
 * types split on commas; `AllowedValues` and `AllowedPattern` checked; SSM parameter types read from Parameter
 * Store where the emulator has it.
 */
import { type CfnTemplate, TemplateError } from './template';

/** The bootstrap version local mode reports to CDK's CheckBootstrapVersion rule when no SSM parameter holds it. */
export const LOCAL_BOOTSTRAP_VERSION = '30';

export interface ParameterSources {
  /** Values given by the caller (CreateStack/CreateChangeSet `Parameters`), as text. */
  readonly given?: ReadonlyMap<string, string>;
  /** An SSM parameter's value, when the emulator serves Parameter Store; undefined when there is none. */
  readonly ssmParameter?: (name: string) => string | undefined;
}

/** Every parameter's value; throws CloudFormation's ValidationError text (as TemplateError) when one is missing. */
export function parameterValues(
  template: CfnTemplate,
  stackName: string,
  sources: ParameterSources = {},
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const missing: string[] = [];
  const declared = template.Parameters ?? {};
  for (const name of sources.given?.keys() ?? []) {
    if (!Object.hasOwn(declared, name)) {
      throw new TemplateError(stackName, undefined, `Parameters: [${name}] do not exist in the template`);
    }
  }
  for (const [name, parameter] of Object.entries(declared)) {
    const text =
      sources.given?.get(name) ?? (parameter.Default === undefined ? undefined : String(parameter.Default));
    if (text === undefined) {
      missing.push(name);
      continue;
    }
    if (parameter.AllowedValues !== undefined && !parameter.AllowedValues.map(String).includes(text)) {
      throw new TemplateError(stackName, undefined, `Parameter '${name}' must be one of AllowedValues`);
    }
    values.set(name, typed(name, parameter.Type, text, stackName, sources));
  }
  if (missing.length > 0) {
    throw new TemplateError(stackName, undefined, `Parameters: [${missing.join(', ')}] must have values`);
  }
  return values;
}

function typed(
  name: string,
  type: string,
  text: string,
  stackName: string,
  sources: ParameterSources,
): unknown {
  if (type.startsWith('AWS::SSM::Parameter::Value')) {
    const value = sources.ssmParameter?.(text);
    if (value !== undefined) return type.includes('List<') ? value.split(',') : value;
    // CDK's BootstrapVersion parameter: without Parameter Store, the environment counts as bootstrapped
    if (text.includes('/cdk-bootstrap/')) return LOCAL_BOOTSTRAP_VERSION;
    // AWS's public parameters (latest AMI ids…) always exist there; locally their name stands for the value
    if (sources.ssmParameter === undefined || text.startsWith('/aws/service/')) return text;
    throw new TemplateError(
      stackName,
      undefined,
      `Unable to fetch parameters [${text}] from parameter store for this account.`,
    );
  }
  if (type === 'CommaDelimitedList' || type.startsWith('List<')) return text === '' ? [''] : text.split(',');
  if (type === 'Number' && !Number.isFinite(Number(text))) {
    throw new TemplateError(stackName, undefined, `Parameter '${name}' must be a number`);
  }
  return text;
}
