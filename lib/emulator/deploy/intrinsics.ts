/**
 * CloudFormation's intrinsic functions, condition functions and pseudo parameters, resolved the way
 * CloudFormation does at deploy time. Resource values (what Ref and Fn::GetAtt return) come from the
 * resources already created, through {@link IntrinsicContext}.
 */
import { type CfnTemplate, TemplateError } from './template';

/** `{"Ref": "AWS::NoValue"}`: the enclosing property or list element disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface PseudoParameters {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  readonly stackId: string;
}

export interface IntrinsicContext {
  readonly template: CfnTemplate;
  readonly pseudo: PseudoParameters;
  /** Parameter values: those given, else the template's defaults. */
  readonly parameters: ReadonlyMap<string, unknown>;
  /** What `Ref` returns for a created resource; undefined when it does not exist (yet). */
  ref(logicalId: string): unknown;
  /** What `Fn::GetAtt` returns; undefined when the resource or the attribute does not exist. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** The value another stack exported under this name; undefined when nothing was exported. */
  importValue(exportName: string): unknown;
  /** An output of another stack (CDK's weak cross-stack references); undefined when there is none. */
  stackOutput(stackName: string, outputName: string): unknown;
  /**
   * An SSM parameter's value (the latest version, or `version`) for `{{resolve:ssm:NAME[:VERSION]}}` dynamic
   * references; undefined when it does not exist. Without it, dynamic references stay as written.
   */
  ssmParameter?(name: string, version?: number): string | undefined;
}

/** The pseudo parameters whose value is the stack's, by the {@link PseudoParameters} member that holds it. */
const PSEUDO_PARAMETERS: Readonly<Record<string, keyof PseudoParameters>> = {
  'AWS::Region': 'region',
  'AWS::AccountId': 'accountId',
  'AWS::Partition': 'partition',
  'AWS::URLSuffix': 'urlSuffix',
  'AWS::StackName': 'stackName',
  'AWS::StackId': 'stackId',
};

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

/** Resolves intrinsics in a template value; one instance per stack deployment. */
export class IntrinsicResolver {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(private readonly context: IntrinsicContext) {}

  private get stackName(): string {
    return this.context.pseudo.stackName;
  }

  /** Resolves `value` for the resource (or output) `where`, which error messages name. */
  resolve(value: unknown, where?: string): unknown {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v, where)).filter((v) => v !== NO_VALUE);
    }
    if (typeof value === 'string') return this.dynamicReferences(value, where);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && isIntrinsicName(entries[0][0])) {
      const resolved = this.resolveIntrinsic(entries[0][0], entries[0][1], where);
      // a reference may be assembled by Fn::Join or Fn::Sub (CDK writes `{{resolve:ssm:` + Ref + `}}`)
      return typeof resolved === 'string' ? this.dynamicReferences(resolved, where) : resolved;
    }
    const result: Record<string, unknown> = {};
    for (const [key, v] of entries) {
      const resolved = this.resolve(v, where);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  /** Evaluates a named entry of the template's Conditions section. */
  condition(name: string, where?: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = this.context.template.Conditions?.[name];
    if (definition === undefined) this.fail(where, `Unresolved condition dependency ${name}`);
    const value = this.evaluateCondition(definition, name);
    this.conditionCache.set(name, value);
    return value;
  }

  private resolveIntrinsic(fn: string, arg: unknown, where: string | undefined): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(this.string(arg, fn, where), where);
      case 'Fn::GetAtt':
        return this.getAtt(arg, where);
      case 'Fn::Join': {
        const [delimiter, list] = this.tuple(arg, 2, fn, where);
        const items = this.resolve(list, where);
        if (!Array.isArray(items)) this.fail(where, 'Fn::Join needs a list of values to join');
        return items.map((item) => this.scalar(item, fn, where)).join(this.string(delimiter, fn, where));
      }
      case 'Fn::Sub':
        return this.sub(arg, where);
      case 'Fn::Select': {
        const [index, list] = this.tuple(arg, 2, fn, where);
        const items = this.resolve(list, where);
        const i = Number(this.resolve(index, where));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          this.fail(where, `Fn::Select index ${JSON.stringify(index)} is out of bounds of its list`);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.tuple(arg, 2, fn, where);
        return this.string(this.resolve(source, where), fn, where).split(this.string(delimiter, fn, where));
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = this.tuple(arg, 3, fn, where);
        return this.resolve(
          this.condition(this.string(name, fn, where), where) ? whenTrue : whenFalse,
          where,
        );
      }
      case 'Fn::ImportValue': {
        const name = this.string(this.resolve(arg, where), fn, where);
        const value = this.context.importValue(name);
        if (value === undefined) this.fail(where, `No export named ${name} found`);
        return value;
      }
      case 'Fn::GetStackOutput': {
        const spec = this.resolve(arg, where) as { StackName?: unknown; OutputName?: unknown };
        const stack = this.string(spec?.StackName, fn, where);
        const output = this.string(spec?.OutputName, fn, where);
        const value = this.context.stackOutput(stack, output);
        if (value === undefined) this.fail(where, `Stack ${stack} has no output named ${output}`);
        return value;
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.tuple(arg, 3, fn, where).map((part) => this.resolve(part, where));
        const value = this.context.template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
        if (value === undefined) this.fail(where, `Fn::FindInMap found no value at ${map}.${top}.${second}`);
        return value;
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.context.pseudo.region}${zone}`);
      case 'Fn::Base64':
        return Buffer.from(this.string(this.resolve(arg, where), fn, where)).toString('base64');
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
      case 'Condition':
        return this.evaluateCondition({ [fn]: arg }, where);
      default:
        return this.fail(where, `the intrinsic function ${fn} is not supported locally`);
    }
  }

  private ref(name: string, where: string | undefined): unknown {
    const pseudo = this.pseudoParameter(name);
    if (pseudo !== undefined) return pseudo;
    if (this.context.parameters.has(name)) return this.context.parameters.get(name);
    if (!(name in this.context.template.Resources)) {
      this.fail(where, `Unresolved resource dependencies [${name}] in the Resources block of the template`);
    }
    const value = this.context.ref(name);
    if (value === undefined) this.fail(where, `Ref ${name}: that resource was not created`);
    return value;
  }

  private getAtt(arg: unknown, where: string | undefined): unknown {
    let logicalId: string;
    let attribute: string;
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      if (dot < 0) this.fail(where, `Fn::GetAtt needs "LogicalId.Attribute", got ${JSON.stringify(arg)}`);
      [logicalId, attribute] = [arg.slice(0, dot), arg.slice(dot + 1)];
    } else {
      const [id, attr] = this.tuple(arg, 2, 'Fn::GetAtt', where);
      [logicalId, attribute] = [
        this.string(id, 'Fn::GetAtt', where),
        this.string(this.resolve(attr, where), 'Fn::GetAtt', where),
      ];
    }
    if (!(logicalId in this.context.template.Resources)) {
      this.fail(
        where,
        `Unresolved resource dependencies [${logicalId}] in the Resources block of the template`,
      );
    }
    const value = this.context.getAtt(logicalId, attribute);
    if (value === undefined) this.fail(where, `Fn::GetAtt ${logicalId}.${attribute}: no such attribute`);
    return value;
  }

  private sub(arg: unknown, where: string | undefined): string {
    const [template, variables] = Array.isArray(arg) ? this.tuple(arg, 2, 'Fn::Sub', where) : [arg, {}];
    const text = this.string(template, 'Fn::Sub', where);
    const values = (this.resolve(variables, where) ?? {}) as Record<string, unknown>;
    return text.replace(SUB_VARIABLE, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`; // ${!Literal} writes ${Literal}
      if (name in values) return this.scalar(values[name], 'Fn::Sub', where);
      const dot = name.indexOf('.');
      const value =
        dot > 0 && !name.startsWith('AWS::')
          ? this.getAtt([name.slice(0, dot), name.slice(dot + 1)], where)
          : this.ref(name, where);
      return this.scalar(value, 'Fn::Sub', where);
    });
  }

  /**
   * `{{resolve:ssm:NAME}}`, `{{resolve:ssm:NAME:VERSION}}` and `{{resolve:ssm-secure:…}}` replaced by the
   * parameter's value, as CloudFormation resolves dynamic references; other services' references stay as written.
   * Scanned with indexOf: template text never meets a backtracking regular expression.
   */
  private dynamicReferences(text: string, where: string | undefined): string {
    const lookup = this.context.ssmParameter;
    if (lookup === undefined || !text.includes('{{resolve:ssm')) return text;
    let result = '';
    let from = 0;
    for (
      let start = text.indexOf('{{resolve:ssm', from);
      start >= 0;
      start = text.indexOf('{{resolve:ssm', from)
    ) {
      const end = text.indexOf('}}', start);
      if (end < 0) break;
      const body = text.slice(start + '{{resolve:'.length, end);
      const [service, name, version, extra] = body.split(':');
      if (service !== 'ssm' && service !== 'ssm-secure') {
        result += text.slice(from, end + 2);
        from = end + 2;
        continue;
      }
      // AWS: a parameter name, then optionally a version number (a parameter ARN is not resolved locally)
      if (!name || extra !== undefined || (version !== undefined && !/^\d{1,10}$/.test(version))) {
        this.fail(
          where,
          `the dynamic reference {{resolve:${body.slice(0, 200)}}} is not NAME or NAME:VERSION`,
        );
      }
      const value = lookup.call(this.context, name, version === undefined ? undefined : Number(version));
      if (value === undefined) {
        this.fail(
          where,
          version === undefined
            ? `Unable to fetch parameters [${name}] from parameter store for this account.`
            : `Unable to fetch parameters [${name}:${version}] from parameter store for this account.`,
        );
      }
      result += text.slice(from, start) + value;
      from = end + 2;
    }
    return result + text.slice(from);
  }

  private evaluateCondition(definition: unknown, where: string | undefined): boolean {
    if (typeof definition === 'boolean') return definition;
    const entries = definition && typeof definition === 'object' ? Object.entries(definition) : [];
    if (entries.length !== 1)
      this.fail(where, `a condition must be one condition function, got ${JSON.stringify(definition)}`);
    const [fn, arg] = entries[0];
    const list = (n?: number) =>
      n === undefined ? this.list(arg, fn, where) : this.tuple(arg, n, fn, where);
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = list(2).map((v) => this.resolve(v, where));
        return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
      }
      case 'Fn::And':
        return list().every((c) => this.evaluateCondition(c, where));
      case 'Fn::Or':
        return list().some((c) => this.evaluateCondition(c, where));
      case 'Fn::Not':
        return !this.evaluateCondition(list(1)[0], where);
      case 'Condition':
        return this.condition(this.string(arg, fn, where), where);
      default:
        return this.fail(where, `${fn} is not a condition function`);
    }
  }

  private pseudoParameter(name: string): unknown {
    if (name === 'AWS::NotificationARNs') return [];
    if (name === 'AWS::NoValue') return NO_VALUE;
    // Own keys only: a template's Ref is not to reach Object.prototype.
    return Object.hasOwn(PSEUDO_PARAMETERS, name) ? this.context.pseudo[PSEUDO_PARAMETERS[name]] : undefined;
  }

  private tuple(arg: unknown, length: number, fn: string, where: string | undefined): unknown[] {
    if (!Array.isArray(arg) || arg.length !== length) {
      this.fail(where, `${fn} takes a list of ${length} values, got ${JSON.stringify(arg)}`);
    }
    return arg;
  }

  private list(arg: unknown, fn: string, where: string | undefined): unknown[] {
    if (!Array.isArray(arg)) this.fail(where, `${fn} takes a list, got ${JSON.stringify(arg)}`);
    return arg;
  }

  private string(value: unknown, fn: string, where: string | undefined): string {
    if (typeof value !== 'string')
      this.fail(where, `${fn} expects a string here, got ${JSON.stringify(value)}`);
    return value;
  }

  private scalar(value: unknown, fn: string, where: string | undefined): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    return this.fail(where, `${fn} cannot turn ${JSON.stringify(value)} into a string`);
  }

  private fail(where: string | undefined, detail: string): never {
    throw new TemplateError(this.stackName, where, detail);
  }
}

function isIntrinsicName(key: string): boolean {
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

/**
 * The resources a value refers to (Ref, Fn::GetAtt, and `${X}` / `${X.Attr}` in Fn::Sub), both branches of
 * an Fn::If included, as CloudFormation counts them for ordering. Parameters and pseudo parameters are not
 * resources and are left out.
 */
export function referencedResources(
  value: unknown,
  resourceIds: ReadonlySet<string>,
  into = new Set<string>(),
): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedResources(v, resourceIds, into);
    return into;
  }
  if (value === null || typeof value !== 'object') return into;
  for (const [key, arg] of Object.entries(value)) {
    if (key === 'Ref' && typeof arg === 'string') {
      if (resourceIds.has(arg)) into.add(arg);
    } else if (key === 'Fn::GetAtt') {
      const id = typeof arg === 'string' ? arg.split('.', 1)[0] : Array.isArray(arg) ? arg[0] : undefined;
      if (typeof id === 'string' && resourceIds.has(id)) into.add(id);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? arg[0] : arg;
      if (typeof text === 'string') {
        const own = Array.isArray(arg) && arg[1] && typeof arg[1] === 'object' ? Object.keys(arg[1]) : [];
        for (const match of text.matchAll(SUB_VARIABLE)) {
          const id = match[1].split('.', 1)[0];
          if (!own.includes(match[1]) && resourceIds.has(id)) into.add(id);
        }
      }
      if (Array.isArray(arg)) referencedResources(arg[1], resourceIds, into);
    } else {
      referencedResources(arg, resourceIds, into);
    }
  }
  return into;
}
